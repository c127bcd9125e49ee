import { randomInt } from 'node:crypto';

// moby's namesgenerator in miniature: an unnamed `docker service create`
// gets an `adjective_surname` name rather than an error.
const LEFT = [
  'admiring',
  'bold',
  'brave',
  'clever',
  'eager',
  'elated',
  'festive',
  'focused',
  'gallant',
  'happy',
  'jolly',
  'keen',
  'loving',
  'modest',
  'nifty',
  'quirky',
  'serene',
  'sharp',
  'stoic',
  'vibrant',
];
const RIGHT = [
  'babbage',
  'bell',
  'curie',
  'darwin',
  'einstein',
  'euler',
  'fermat',
  'galileo',
  'hopper',
  'kepler',
  'lamarr',
  'lovelace',
  'newton',
  'noether',
  'pasteur',
  'ritchie',
  'shannon',
  'tesla',
  'turing',
  'wozniak',
];

export function randomName(): string {
  return `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
}
