// Extends the scaffold's webpack config (kept untouched in .config/): nested plugins' logos are
// copied next to their plugin.json.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({ patterns: [{ from: '{datasource,panel}/img/*', to: '.' }] }),
    ],
  };
};

export default config;
