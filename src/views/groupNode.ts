/** A group folder of the Connections view: the profiles whose `group` field names it. */
export class GroupNode {
  readonly kind = 'group';
  constructor(readonly name: string) {}
  get id(): string {
    return `g/${this.name}`;
  }
}
