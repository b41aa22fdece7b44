// Repository → service, environment and tags from the config, so that an alert on a service
// finds the changes to the repositories behind it. Applied to webhook and polled events alike.
import type { ChangeEventInput } from '@painchain/sdk';
import type { RepositoryTarget } from './github-config.js';

export class RepositoryMapping {
  private readonly byName: Map<string, RepositoryTarget>;

  constructor(
    repositories: readonly RepositoryTarget[],
    private readonly tags: readonly string[],
  ) {
    // GitHub treats owner and repository names case-insensitively.
    this.byName = new Map(repositories.map((target) => [target.fullName.toLowerCase(), target]));
  }

  /** The events with the configured service, environment (unless they name one) and tags. */
  apply(events: readonly ChangeEventInput[]): ChangeEventInput[] {
    return events.map((event) => {
      const target = this.byName.get(event.project.toLowerCase());
      const tags = [...new Set([...(event.tags ?? []), ...this.tags, ...(target?.tags ?? [])])];
      const mapped: ChangeEventInput = { ...event };
      if (target?.service && !mapped.service) mapped.service = target.service;
      if (target?.environment && !mapped.environment) mapped.environment = target.environment;
      if (tags.length > 0) mapped.tags = tags;
      return mapped;
    });
  }
}
