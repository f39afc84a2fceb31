import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOAD_MIX,
  formatMix,
  type LoadMix,
  MixError,
  parseMix,
  pickOperation,
  requestsPerArrival,
} from '../../cli/load/load-mix.js';

const mixOf = (partial: Partial<LoadMix>): LoadMix => ({
  create: 0,
  get: 0,
  list: 0,
  status: 0,
  cancel: 0,
  burst: 0,
  ...partial,
});

describe('parseMix', () => {
  it.each([
    ['create=3,get=3,list=2,status=1,burst=1', { create: 3, get: 3, list: 2, status: 1, burst: 1 }],
    ['create=1', { create: 1 }],
    [' create = 2 , burst=0.5 ', { create: 2, burst: 0.5 }],
    ['cancel=1,get=0,list=4', { cancel: 1, list: 4 }],
    ['create=1,', { create: 1 }],
  ])('%j → the weights given, 0 for the others', (text, expected) => {
    // Act
    const mix = parseMix(text);

    // Assess
    expect(mix).toEqual(mixOf(expected));
  });

  it.each([
    ['', /empty mix/],
    ['create', /not operation=weight/],
    ['create=-1', /non-negative number/],
    ['create=abc', /non-negative number/],
    ['create=1e3', /non-negative number/],
    ['delete=1', /unknown operation "delete"/],
    ['create=1,create=2', /given twice/],
    ['create=0,get=0', /every weight is 0/],
  ])('%j is refused: %s', (text, message) => {
    // Act
    const parse = () => parseMix(text);

    // Assess
    expect(parse).toThrow(MixError);
    expect(parse).toThrow(message);
  });

  it('the default mix is the traffic model with the plan concurrent creates instead of cancel', () => {
    // Assess
    expect(formatMix(DEFAULT_LOAD_MIX)).toBe('create=3,get=3,list=2,status=1,burst=1');
    expect(parseMix(formatMix(DEFAULT_LOAD_MIX))).toEqual(DEFAULT_LOAD_MIX);
  });
});

describe('pickOperation', () => {
  const mix = mixOf({ create: 1, list: 2, burst: 1 });

  it.each([
    [0, 'create'],
    [0.249, 'create'],
    [0.25, 'list'],
    [0.74, 'list'],
    [0.75, 'burst'],
    [0.999999, 'burst'],
  ] as const)('roll %s → %s (weights 1:2:1)', (roll, expected) => {
    // Act
    const op = pickOperation(mix, roll);

    // Assess
    expect(op).toBe(expected);
  });

  it('never picks an operation of weight 0, whatever the roll', () => {
    // Prepare
    const rolls = Array.from({ length: 1000 }, (_, i) => i / 1000);

    // Act
    const picked = new Set(rolls.map((r) => pickOperation(mixOf({ get: 1, status: 3 }), r)));

    // Assess
    expect([...picked].sort()).toEqual(['get', 'status']);
  });
});

describe('requestsPerArrival', () => {
  it.each([
    [mixOf({ create: 1 }), 5, 1],
    [mixOf({ burst: 1 }), 5, 5],
    [DEFAULT_LOAD_MIX, 5, 1.4],
    [mixOf({ create: 1, burst: 1 }), 3, 2],
  ])('%j with bursts of %i → %s requests per arrival', (mix, size, expected) => {
    // Assess
    expect(requestsPerArrival(mix, size)).toBeCloseTo(expected, 10);
  });
});
