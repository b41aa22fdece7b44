// Wires the changes datasource for Grafana; the parts live in their own files.
import { DataSourcePlugin } from '@grafana/data';
import { ChangesDataSource } from './datasource';
import type { ChangesOptions, ChangesSecureJsonData } from './types/config';
import type { ChangesQuery } from './types/query';
import { ConfigEditor } from './views/ConfigEditor';
import { QueryEditor } from './views/QueryEditor';
import { QueryEditorHelp } from './views/QueryEditorHelp';

export const plugin = new DataSourcePlugin<ChangesDataSource, ChangesQuery, ChangesOptions, ChangesSecureJsonData>(
  ChangesDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setQueryEditorHelp(QueryEditorHelp);
