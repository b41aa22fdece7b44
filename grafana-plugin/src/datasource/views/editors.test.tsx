import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { dateTime, type DataSourceSettings } from '@grafana/data';
import { loadedAt, makeDataSource } from '../../../test/support/datasource-fixture';
import { TEST_IDS } from '../../test-ids';
import type { ChangesOptions, ChangesSecureJsonData } from '../types/config';
import type { ChangesQuery, ChangesVariableQuery } from '../types/query';
import { ConfigEditor } from './ConfigEditor';
import { QueryEditor } from './QueryEditor';
import { VariableQueryEditor } from './VariableQueryEditor';

const settings = (over: Partial<DataSourceSettings<ChangesOptions, ChangesSecureJsonData>> = {}) =>
  ({
    id: 1,
    uid: 'p',
    orgId: 1,
    name: 'PainChain',
    type: 'painchain-changes-datasource',
    access: 'proxy',
    url: '',
    jsonData: {},
    secureJsonFields: {},
    ...over,
  }) as DataSourceSettings<ChangesOptions, ChangesSecureJsonData>;

const range = () => {
  const from = dateTime(loadedAt() - 4 * 3600_000);
  const to = dateTime(loadedAt() + 60_000);
  return { from, to, raw: { from, to } };
};

describe('ConfigEditor', () => {
  it('stores the URL for the data proxy, the token as a secret and the cap in jsonData', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByTestId(TEST_IDS.configEditor.url), { target: { value: ' http://painchain:8000 ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ url: 'http://painchain:8000', access: 'proxy' })
    );
    fireEvent.change(screen.getByTestId(TEST_IDS.configEditor.apiToken), { target: { value: 's3cret' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonData: { apiToken: 's3cret' } })
    );
    fireEvent.change(screen.getByTestId(TEST_IDS.configEditor.maxEvents), { target: { value: '2000' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { maxEvents: 2000 } }));
  });

  it('shows a saved token as configured, never its value, and resets it', () => {
    const onOptionsChange = jest.fn();
    render(
      <ConfigEditor options={settings({ secureJsonFields: { apiToken: true } })} onOptionsChange={onOptionsChange} />
    );
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonFields: { apiToken: false }, secureJsonData: { apiToken: '' } })
    );
  });
});

// The comboboxes draw their options in a virtualized list, which renders only the rows that fit
// in its measured size: jsdom measures nothing, so give elements a size while these tests run.
const measured = ['clientHeight', 'clientWidth'] as const;
beforeAll(() => {
  for (const name of measured) {
    Object.defineProperty(Element.prototype, name, { configurable: true, get: () => 240 });
  }
});
afterAll(() => {
  for (const name of measured) {
    delete (Element.prototype as unknown as Record<string, unknown>)[name];
  }
});

async function pick(field: string, value: string) {
  const input = screen.getByLabelText(field === 'tag' ? 'Tags' : field[0]!.toUpperCase() + field.slice(1));
  fireEvent.click(input);
  fireEvent.click(await screen.findByRole('option', { name: new RegExp(`^${value}`) }));
}

describe('QueryEditor', () => {
  it("offers each filter's values from the facets route, with counts and variables, and runs the query", async () => {
    const { ds } = makeDataSource({ variables: [{ name: 'service', value: 'api' }] });
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    const query: ChangesQuery = { refId: 'A', kind: ['deploy'] };
    render(<QueryEditor datasource={ds} query={query} range={range()} onChange={onChange} onRunQuery={onRunQuery} />);
    fireEvent.click(screen.getByLabelText('Service'));
    // Only services with a deploy (the other filters narrow the options), then the variables.
    const payments = await screen.findByRole('option', { name: /^payments/ });
    const options = screen.getAllByRole('option').map((o) => o.textContent);
    expect(options).toContain('$servicevariable');
    expect(options.some((o) => o?.startsWith('web'))).toBe(false);
    expect(payments).toHaveTextContent('payments1 change');
    expect(options).toContain('api2 changes');
    fireEvent.click(payments);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', kind: ['deploy'], service: ['payments'] });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('sets the text filter on Enter and a per-query cap', () => {
    const { ds } = makeDataSource();
    const onChange = jest.fn();
    render(
      <QueryEditor datasource={ds} query={{ refId: 'A' }} range={range()} onChange={onChange} onRunQuery={jest.fn()} />
    );
    const text = screen.getByTestId(TEST_IDS.queryEditor.text);
    fireEvent.change(text, { target: { value: 'hotfix' } });
    fireEvent.keyDown(text, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', q: 'hotfix' });
    const cap = screen.getByTestId(TEST_IDS.queryEditor.maxEvents);
    fireEvent.change(cap, { target: { value: '250' } });
    fireEvent.blur(cap);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', maxEvents: 250 });
  });
});

describe('QueryEditor for delivery performance', () => {
  it('switches the query type, then offers services, environment, format, interval and figures', async () => {
    const { ds } = makeDataSource();
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    const { rerender } = render(
      <QueryEditor datasource={ds} query={{ refId: 'A' }} range={range()} onChange={onChange} onRunQuery={onRunQuery} />
    );
    fireEvent.click(screen.getByRole('radio', { name: 'Delivery performance' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'delivery' });
    expect(onRunQuery).toHaveBeenCalled();

    const query: ChangesQuery = { refId: 'A', queryType: 'delivery' };
    rerender(<QueryEditor datasource={ds} query={query} range={range()} onChange={onChange} onRunQuery={onRunQuery} />);
    // The change filters that delivery ignores are not offered; the text field neither.
    expect(screen.queryByLabelText('Kind')).not.toBeInTheDocument();
    expect(screen.queryByTestId(TEST_IDS.queryEditor.text)).not.toBeInTheDocument();
    // Services come from the facets of deploys.
    fireEvent.click(screen.getByLabelText('Service'));
    fireEvent.click(await screen.findByRole('option', { name: /^api/ }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, service: ['api'] });
    fireEvent.click(screen.getByRole('radio', { name: 'Summary' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, delivery: { format: 'summary' } });
    fireEvent.click(screen.getByRole('radio', { name: 'Week' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, delivery: { interval: 'week' } });
    fireEvent.click(screen.getByRole('radio', { name: 'Per service' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, delivery: { groupBy: 'service' } });
    // The four keys by default (the combobox shows the first and counts the others).
    expect(screen.getByTestId(TEST_IDS.queryEditor.deliveryFigures)).toHaveTextContent('Deploys per day');
  });
});

describe('VariableQueryEditor', () => {
  it('chooses the field to list and narrows it with filters', async () => {
    const { ds } = makeDataSource();
    const onChange = jest.fn();
    const query: ChangesVariableQuery = { refId: 'V', field: 'service' };
    render(
      <VariableQueryEditor datasource={ds} query={query} range={range()} onChange={onChange} onRunQuery={jest.fn()} />
    );
    // The listed field is not offered as its own filter.
    expect(screen.queryByLabelText('Service')).not.toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('Values of'));
    fireEvent.click(await screen.findByRole('option', { name: 'Author' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', field: 'author' });
    await pick('environment', 'staging');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', field: 'service', environment: ['staging'] });
  });
});
