#!/usr/bin/env node
// The GitHub connector as its own process: the SDK's standalone command line with GitHub's flags.
import { runStandaloneCli } from '@painchain/sdk/standalone';
import { GITHUB_CLI } from './standalone-args.js';

await runStandaloneCli(GITHUB_CLI);
