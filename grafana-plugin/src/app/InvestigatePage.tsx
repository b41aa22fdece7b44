// The Investigate page: from an alert, a time or a time range to the changes that may explain
// it. The collector ranks the suspects (score and reasons); each opens its chain back to the
// commit; a timeline shows every change of the window with the alert marked. Every state says
// what to do next: no datasource, nothing asked yet, loading, an error, no change correlated.
import React, { useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { dateTime, getTimeZone, LoadingState, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import type { TimeZone } from '@grafana/schema';
import { Alert, Badge, Button, LinkButton, LoadingPlaceholder, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import type { SuspectsQuestion } from '../datasource/api/collector-api';
import { eventsToFrame } from '../datasource/frames';
import type { SuspectsAnswer } from '../datasource/types/api';
import { formatTime } from '../panel/components/describe';
import { TimelinePanel } from '../panel/components/TimelinePanel';
import { DEFAULT_OPTIONS } from '../panel/options';
import { LANE_HEIGHT } from '../panel/styles';
import { LoadFailed } from '../shared/components/LoadFailed';
import { SuspectList } from '../shared/components/SuspectList';
import { httpLink } from '../shared/http-link';
import { hasQuestion, investigatePath, readInvestigateParams, type InvestigateParams } from '../shared/investigate-url';
import { findCollector, type CollectorTarget } from '../shared/painchain-datasource';
import { useCollector } from '../shared/use-collector';
import { TEST_IDS } from '../test-ids';
import { ScopeForm } from './ScopeForm';
import { useLocation } from './use-location';
import { useWidth } from './use-width';

/** The collector's default longest lookback (drilldown.maxLookbackMinutes). */
const MAX_LOOKBACK_MINUTES = 7 * 24 * 60;
/** The timeline shows this long after the alert: the recovery, or what came next. */
const AFTER_MS = 15 * 60_000;
/** Most changes the timeline reads for one window. */
const TIMELINE_CAP = 2000;
/** The timeline's axis and legend around its lanes, and its tallest size (then lanes scroll). */
const TIMELINE_CHROME = 22 + 44;
const TIMELINE_MAX = 360;

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), maxWidth: 1400 }),
  summary: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(1.5, 2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderLeft: `4px solid ${theme.colors.error.main}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  timeline: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    background: theme.colors.background.primary,
  }),
});

/** The question for GET /api/v1/suspects from the page's parameters. */
export function suspectsQuestion(p: InvestigateParams): { question: SuspectsQuestion; note?: string } {
  const question: SuspectsQuestion = {
    alert: p.alert,
    service: p.service,
    environment: p.environment,
    project: p.project,
    at: p.at ?? p.to,
    lookback: p.lookback,
  };
  if (!p.lookback && p.from !== undefined && p.to !== undefined) {
    const minutes = Math.ceil((p.to - p.from) / 60_000);
    question.lookback = `${Math.min(minutes, MAX_LOOKBACK_MINUTES)}m`;
    if (minutes > MAX_LOOKBACK_MINUTES) {
      return {
        question,
        note: 'Suspects are ranked over the last 7 days of this range, the longest the collector looks back.',
      };
    }
  }
  return { question };
}

const rangeOf = (from: number, to: number): TimeRange => ({
  from: dateTime(from),
  to: dateTime(to),
  raw: { from: dateTime(from), to: dateTime(to) },
});

function Timeline({
  target,
  from,
  to,
  at,
  markLabel,
  timeZone,
}: {
  target: CollectorTarget;
  from: number;
  to: number;
  at: number;
  markLabel: string;
  timeZone: TimeZone;
}) {
  const styles = useStyles2(getStyles);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const [zoom, setZoom] = useState<{ from: number; to: number; key: string } | null>(null);
  const key = `${target.uid}:${from}:${to}`;
  const events = useCollector(() => target.api.listEvents({}, { from, to }, TIMELINE_CAP), key);
  const loaded = events.state === 'done' ? events.value : null;
  const frames = useMemo(
    () =>
      loaded
        ? [
            eventsToFrame({
              refId: 'A',
              events: loaded.events,
              cap: TIMELINE_CAP,
              truncated: loaded.truncated,
              datasourceUid: target.uid,
            }),
          ]
        : [],
    [loaded, target.uid]
  );
  const view = zoom && zoom.key === key ? rangeOf(zoom.from, zoom.to) : rangeOf(from, to);
  const lanes = new Set(loaded?.events.map((e) => e.service ?? e.project)).size;
  const height = Math.min(TIMELINE_MAX, TIMELINE_CHROME + Math.max(1, lanes) * LANE_HEIGHT);
  return (
    <section aria-label="Changes around this time" data-testid={TEST_IDS.app.timeline}>
      <Stack direction="row" justifyContent="space-between" alignItems="baseline">
        <Text element="h3">Every change in the window</Text>
        {zoom && zoom.key === key && (
          <Button size="sm" variant="secondary" fill="text" icon="search-minus" onClick={() => setZoom(null)}>
            Whole window
          </Button>
        )}
      </Stack>
      <div className={styles.timeline} ref={box}>
        {events.state === 'loading' && <LoadingPlaceholder text="Loading the changes of this window…" />}
        {events.state === 'error' && (
          <LoadFailed title="Could not load the timeline" error={events.error} onRetry={events.retry} />
        )}
        {events.state === 'done' && (
          <TimelinePanel
            id={0}
            data={{ state: LoadingState.Done, series: frames, timeRange: view }}
            timeRange={view}
            timeZone={timeZone}
            options={DEFAULT_OPTIONS}
            transparent
            width={Math.max(320, width - 16)}
            height={height}
            fieldConfig={{ defaults: {}, overrides: [] }}
            renderCounter={0}
            title="Changes"
            eventBus={undefined as never}
            onOptionsChange={() => undefined}
            onFieldConfigChange={() => undefined}
            replaceVariables={(s: string) => s}
            onChangeTimeRange={(r) => setZoom({ from: r.from, to: r.to, key })}
            marks={[{ time: at, label: markLabel }]}
          />
        )}
      </div>
    </section>
  );
}

function Summary({
  answer,
  params,
  timeZone,
}: {
  answer: SuspectsAnswer;
  params: InvestigateParams;
  timeZone: TimeZone;
}) {
  const styles = useStyles2(getStyles);
  const { alert, scope } = answer;
  const place = [scope.service, scope.environment, scope.project].filter((v): v is string => Boolean(v));
  const alertSource = httpLink(alert?.url);
  return (
    <section className={styles.summary} data-testid={TEST_IDS.app.summary} aria-label="The question">
      {alert ? (
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Badge
            text={alert.status === 'succeeded' ? 'resolved' : 'firing'}
            color={alert.status === 'succeeded' ? 'green' : 'red'}
            icon="bell"
          />
          {alertSource ? (
            <TextLink href={alertSource} external>
              {alert.title}
            </TextLink>
          ) : (
            <Text weight="medium">{alert.title}</Text>
          )}
        </Stack>
      ) : (
        <Text weight="medium">
          {params.from !== undefined ? 'Changes in this time range' : 'What changed before this moment'}
        </Text>
      )}
      <Text color="secondary">
        {alert ? 'Fired' : 'At'} {formatTime(Date.parse(answer.at), timeZone)} · looking back to{' '}
        {formatTime(Date.parse(answer.window.from), timeZone)} ·{' '}
        {place.length ? place.join(' · ') : 'every service and environment'}
      </Text>
    </section>
  );
}

function Investigation({
  target,
  params,
  timeZone,
}: {
  target: CollectorTarget;
  params: InvestigateParams;
  timeZone: TimeZone;
}) {
  const { question, note } = suspectsQuestion(params);
  const key = `${target.uid}:${JSON.stringify(question)}`;
  const answer = useCollector(() => target.api.suspects(question), key);
  const go = (next: InvestigateParams) =>
    locationService.push(investigatePath({ ...next, datasource: params.datasource }));

  if (answer.state === 'loading') {
    return (
      <div data-testid={TEST_IDS.app.loading}>
        <LoadingPlaceholder text="Ranking the changes that came before…" />
      </div>
    );
  }
  if (answer.state === 'error') {
    return (
      <div data-testid={TEST_IDS.app.error}>
        <LoadFailed
          title="The collector could not answer"
          error={answer.error}
          onRetry={answer.retry}
          advice={
            params.alert
              ? 'The alert may have been recorded by another collector, or deleted: pick a service and a time below instead.'
              : 'Check the question below, or the PainChain data source settings, then try again.'
          }
        />
        <ScopeForm api={target.api} initial={{ ...params }} timeZone={timeZone} onSubmit={go} />
      </div>
    );
  }
  const value = answer.value;
  const at = Date.parse(value.at);
  const from = params.from ?? Date.parse(value.window.from);
  const to = params.to ?? at + AFTER_MS;
  const wider = () =>
    go({
      service: value.scope.service ?? undefined,
      environment: value.scope.environment ?? undefined,
      project: value.scope.project ?? undefined,
      at,
      lookback: '1d',
    });
  return (
    <>
      <Summary answer={value} params={params} timeZone={timeZone} />
      {note && <Alert severity="info" title={note} />}
      <Timeline
        target={target}
        from={from}
        to={to}
        at={at}
        markLabel={value.alert ? 'Alert fired' : 'Investigated time'}
        timeZone={timeZone}
      />
      <section aria-label="Suspects">
        <Text element="h3">
          {value.verdict === 'suspects' ? `Suspects, most likely first (${value.suspects.length})` : 'Suspects'}
        </Text>
        <SuspectList
          answer={value}
          api={target.api}
          timeZone={timeZone}
          openFirstChain
          noChangeActions={
            <Stack direction="row" gap={1}>
              <Button size="sm" variant="secondary" icon="history" onClick={wider}>
                Look back a day
              </Button>
              {value.scope.environment && (
                <Button
                  size="sm"
                  variant="secondary"
                  fill="outline"
                  onClick={() => go({ service: value.scope.service ?? undefined, at, lookback: params.lookback })}
                >
                  Any environment
                </Button>
              )}
            </Stack>
          }
        />
      </section>
      <details>
        <summary>Ask another question</summary>
        <ScopeForm
          api={target.api}
          initial={{
            service: value.scope.service ?? undefined,
            environment: value.scope.environment ?? undefined,
            project: value.scope.project ?? undefined,
            at,
            lookback: params.lookback,
          }}
          timeZone={timeZone}
          onSubmit={go}
        />
      </details>
    </>
  );
}

export function InvestigatePage() {
  const styles = useStyles2(getStyles);
  const { search } = useLocation();
  const { params, problems } = useMemo(() => readInvestigateParams(search), [search]);
  const collector = findCollector(params.datasource);
  const timeZone = getTimeZone();
  const go = (next: InvestigateParams) =>
    locationService.push(investigatePath({ ...next, datasource: params.datasource }));

  let body: React.ReactNode;
  if (!collector.found) {
    body = (
      <div data-testid={TEST_IDS.app.noDatasource}>
        <Alert
          severity="warning"
          title={
            collector.uid ? `No PainChain data source with uid “${collector.uid}”` : 'No PainChain data source yet'
          }
        >
          <Text element="p">
            The Investigate page asks the PainChain collector through a <strong>PainChain changes</strong> data source.
            Add one with the collector&apos;s URL and a read token, then come back to this page.
          </Text>
          <LinkButton href="/connections/datasources/new" icon="plus" size="sm">
            Add a data source
          </LinkButton>
        </Alert>
      </div>
    );
  } else if (!hasQuestion(params)) {
    body = (
      <div data-testid={TEST_IDS.app.start}>
        <Text element="p">
          Start from an alert (its <strong>Recent changes</strong> action), a panel menu (
          <strong>Changes in this time range</strong>), or an alert on a PainChain timeline. Or ask here: which service,
          and when?
        </Text>
        <ScopeForm api={collector.target.api} initial={{}} timeZone={timeZone} onSubmit={go} />
        <Button variant="secondary" icon="clock-nine" onClick={() => go({ at: Date.now() })}>
          What changed in the last 2 hours
        </Button>
      </div>
    );
  } else {
    body = <Investigation target={collector.target} params={params} timeZone={timeZone} />;
  }

  return (
    <PluginPage
      pageNav={{ text: 'Investigate' }}
      subTitle="The changes that may explain an alert, ranked, and their chains back to the commit."
    >
      <div className={styles.page} data-testid={TEST_IDS.app.investigate}>
        {problems.length > 0 && (
          <Alert severity="warning" title="Some of this address's parameters were left out">
            {problems.join('; ')}.
          </Alert>
        )}
        {body}
      </div>
    </PluginPage>
  );
}
