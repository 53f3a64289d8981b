import { describe, expect, it } from 'vitest';
import { periodDates } from '../../src/domain/periods.js';

describe('civil periods', () => {
  it.each([
    ['2024-07', '2024-07-01', '2024-07-31'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2024-Q3', '2024-07-01', '2024-09-30'],
    ['2024-H1', '2024-01-01', '2024-06-30'],
    ['2024-M9', '2024-01-01', '2024-09-30'],
    ['2024', '2024-01-01', '2024-12-31'],
  ])('%s = %s – %s', (period, from, to) => expect(periodDates(period, 'civil')).toEqual({ from, to }));
});

describe('official reporting periods: from the 15th of the month before to the 14th', () => {
  it.each([
    ['2024-07', '2024-06-15', '2024-07-14'],
    ['2024-01', '2023-12-15', '2024-01-14'],
    ['2024-Q1', '2023-12-15', '2024-03-14'],
    ['2024-Q3', '2024-06-15', '2024-09-14'],
    ['2024-H1', '2023-12-15', '2024-06-14'],
    ['2024-H2', '2024-06-15', '2024-12-14'],
    ['2024-M9', '2023-12-15', '2024-09-14'],
    ['2024', '2023-12-15', '2024-12-14'],
  ])('%s = %s – %s', (period, from, to) => expect(periodDates(period, 'official')).toEqual({ from, to }));
});

it('malformed periods are refused', () => {
  for (const p of ['2024-13', '2024-Q5', '2024-H3', '24', '2024-7', 'last-year'])
    expect(periodDates(p)).toBeNull();
});
