// The image reference grammar swarmkit checks at service create
// (distribution/reference ParseNormalizedNamed): optional registry host and
// port, lower-case path components, optional tag and digest.

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?';
const TAG = '(?::[\\w][\\w.-]{0,127})?';
const DIGEST = '(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?';
const REFERENCE = new RegExp(`^${DOMAIN}${COMPONENT}(?:/${COMPONENT})*${TAG}${DIGEST}$`);
/** reference.NameTotalLengthMax */
const NAME_MAX = 255;

export function isValidImageRef(ref: string): boolean {
  if (!REFERENCE.test(ref)) return false;
  const name = ref.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '');
  return name.length <= NAME_MAX;
}
