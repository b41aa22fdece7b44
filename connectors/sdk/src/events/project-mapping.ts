// Source → service, environment and tags from the config, so that an alert on a service finds
// the changes to the repositories, projects or namespaces behind it. Applied to every event a
// connector produces, from webhooks and polling alike.
import type { ChangeEventInput } from '../change-event.js';

/** What the config says about one source (a repository, a project, a namespace). */
export interface ProjectDefaults {
  /** The event's `project` this entry applies to, e.g. `acme/api`. */
  readonly project: string;
  readonly service?: string;
  readonly environment?: string;
  readonly tags?: readonly string[];
}

export interface ProjectMappingOptions {
  /** Tags added to every event of the connector instance. */
  readonly tags?: readonly string[];
  /** GitHub and GitLab compare paths case-insensitively (the default); Kubernetes does not. */
  readonly caseSensitive?: boolean;
}

export class ProjectMapping {
  private readonly byProject: Map<string, ProjectDefaults>;
  private readonly tags: readonly string[];
  private readonly key: (project: string) => string;

  constructor(entries: readonly ProjectDefaults[], options: ProjectMappingOptions = {}) {
    this.key = options.caseSensitive ? (project) => project : (project) => project.toLowerCase();
    this.byProject = new Map(entries.map((entry) => [this.key(entry.project), entry]));
    this.tags = options.tags ?? [];
  }

  /** The events with the configured service and environment (unless they name one) and tags. */
  apply(events: readonly ChangeEventInput[]): ChangeEventInput[] {
    return events.map((event) => {
      const entry = this.byProject.get(this.key(event.project));
      const tags = [...new Set([...(event.tags ?? []), ...this.tags, ...(entry?.tags ?? [])])];
      const mapped: ChangeEventInput = { ...event };
      if (entry?.service && !mapped.service) mapped.service = entry.service;
      if (entry?.environment && !mapped.environment) mapped.environment = entry.environment;
      if (tags.length > 0) mapped.tags = tags;
      return mapped;
    });
  }
}
