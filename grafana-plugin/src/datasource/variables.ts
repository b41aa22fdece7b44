// Template variables from the facets route: the values of one field, with the same filters as a query.
import {
  CustomVariableSupport,
  createDataFrame,
  FieldType,
  type DataQueryRequest,
  type DataQueryResponse,
} from '@grafana/data';
import { from, map, type Observable } from 'rxjs';
import type { ChangesDataSource } from './datasource';
import type { ChangesVariableQuery } from './types/query';
import { VariableQueryEditor } from './views/VariableQueryEditor';

export class ChangesVariableSupport extends CustomVariableSupport<ChangesDataSource, ChangesVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: ChangesDataSource) {
    super();
  }

  // CustomVariableSupport.query: a frame with `text` and `value`, which Grafana turns into options.
  query(request: DataQueryRequest<ChangesVariableQuery>): Observable<DataQueryResponse> {
    const [target] = request.targets;
    if (!target) {
      return from([{ data: [] }]);
    }
    return from(this.datasource.facetValues(target.field, target, request.range, request.scopedVars)).pipe(
      map((values) => ({
        data: [
          createDataFrame({
            refId: target.refId,
            fields: [
              { name: 'text', type: FieldType.string, values: values.map((v) => v.value) },
              { name: 'value', type: FieldType.string, values: values.map((v) => v.value) },
            ],
          }),
        ],
      }))
    );
  }
}
