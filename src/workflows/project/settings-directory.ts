import type { ProjectSettings } from '../../schemas/project';
import { batonFailure } from '../failure';
import type { DirectoryPort } from './module';

/**
 * The directory a project has before anyone registers: the humans named in its settings. The agent
 * directory module replaces it and falls back to it for those humans.
 */
export function settingsDirectory(settings: ProjectSettings): DirectoryPort {
  const humans = new Set(settings.humans.map((h) => h.toLowerCase()));
  return {
    isHuman: (name) => humans.has(name.toLowerCase()),
    authenticate: (name) => {
      throw batonFailure('UNAUTHORIZED', `Unknown member "${name}": register first with \`baton register\`.`);
    },
    authenticateActor: (actor) => {
      if (actor.kind === 'workflow') return actor.onBehalfOf;
      throw batonFailure('UNAUTHORIZED', `Unknown member "${actor.name}": register first with \`baton register\`.`);
    },
    exists: (name) => humans.has(name.toLowerCase()),
    notify: () => undefined,
  };
}
