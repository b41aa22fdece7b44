import type { ChangeEventInput } from '@painchain/sdk';

export declare function sampleEvents(now?: number): ChangeEventInput[];
