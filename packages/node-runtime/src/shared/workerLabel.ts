/**
 * What a worker is called in its output prefixes and its process title: its actor's name, or,
 * for an actor given none (whose name is its id), its definition's name and id (`Counter#x1y2`).
 * A `system.process` task is named `task#id` already.
 */
export function workerLabel(
  definition: string,
  self: { readonly id: string; readonly name: string },
): string {
  return self.name === self.id ? `${definition}#${self.id}` : self.name;
}
