// Validation of change events against the SDK's own schema, for connector tests (golden files,
// normalize()) and for the test context's emit().
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { ChangeEventInput } from '../change-event.js';

const eventValidator = Compile(ChangeEventInput);

/** One line per schema error, `<prefix><path>: <message>`, every error at once. */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): string[] {
  return Compile(schema)
    .Errors(value)
    .map((error) => `${prefix}${error.instancePath || '/'}: ${error.message}`);
}

/** Every problem in a batch of events, each line naming the event by its index. */
export function changeEventProblems(events: readonly unknown[]): string[] {
  return events.flatMap((event, index) =>
    eventValidator
      .Errors(event)
      .map((error) => `event[${index}]${error.instancePath || '/'}: ${error.message}`),
  );
}

/** Throws an Error listing every schema violation when one of the events is not a valid ChangeEventInput. */
export function assertValidEvents(
  events: readonly unknown[],
): asserts events is ChangeEventInput[] {
  const problems = changeEventProblems(events);
  if (problems.length > 0) {
    throw new Error(`invalid change event(s):\n  ${problems.join('\n  ')}`);
  }
}
