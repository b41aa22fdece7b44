#!/usr/bin/env node
// The Kubernetes connector as its own process: the SDK's standalone command line with its flags.
import { runStandaloneCli } from '@painchain/sdk/standalone';
import { KUBERNETES_CLI } from './standalone-args.js';

await runStandaloneCli(KUBERNETES_CLI);
