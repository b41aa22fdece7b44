#!/usr/bin/env node
// The GitLab connector as its own process: the SDK's standalone command line with GitLab's flags.
import { runStandaloneCli } from '@painchain/sdk/standalone';
import { GITLAB_CLI } from './standalone-args.js';

await runStandaloneCli(GITLAB_CLI);
