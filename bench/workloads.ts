/**
 * What the benchmarks send: intake bodies, the dashboard's list and search queries, and a sample of the
 * seeded dossiers to read, all drawn from a seeded PRNG so every run asks the same things.
 */
import pg from 'pg';
import { searchKey } from '../src/domain/applicant.js';
import {
  COMMUNE_COUNT,
  COMMUNE_PROCEDURE_COUNT,
  communeCode,
  communeWeights,
  cumulativeOf,
  familyNames,
  femaleGivenNames,
  femaleMiddleNames,
  maleGivenNames,
  maleMiddleNames,
  pick,
  pickWeighted,
  PROCEDURE_COUNT,
  procedureCode,
  type Random,
} from './common.js';

const familyCumulative = cumulativeOf(familyNames.map(([, w]) => w));

function randomPerson(random: Random) {
  const female = random() < 0.5;
  const family = familyNames[pickWeighted(random, familyCumulative)]![0];
  const middle = pick(random, female ? femaleMiddleNames : maleMiddleNames);
  const given = pick(random, female ? femaleGivenNames : maleGivenNames);
  return { family, middle, given, female };
}

/**
 * POST /v1/dossiers bodies: commune procedures (popular ones more often), to the communes in the seed's shares
 * (a day's intakes go where the province's dossiers go), channels 60/35/5.
 */
export function intakeBodies(random: Random, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = randomPerson(random);
    const r = random();
    out.push(
      JSON.stringify({
        procedureCode: procedureCode(Math.floor(Math.pow(random(), 2) * COMMUNE_PROCEDURE_COUNT)),
        unitCode: communeCode(pickWeighted(random, communeWeights)),
        channel: r < 0.6 ? 'online' : r < 0.95 ? 'direct' : 'postal',
        applicant: {
          type: 'citizen',
          fullName: `${p.family} ${p.middle} ${p.given}`,
          idNumber: `056${p.female ? 1 : 0}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
          phone: `09${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
          address: `${1 + Math.floor(random() * 300)} Trần Phú, Nha Trang, Khánh Hòa`,
        },
        components: [{ name: 'Tờ khai theo mẫu', copies: 1 }],
      }),
    );
  }
  return out;
}

/** A dashboard list (filters) or a search (an applicant's name or id number). */
export type QueryKind = 'list' | 'search';

/**
 * GET /v1/dossiers queries a province's clerks run, with the share of each in the mix; `kinds` keeps the
 * filters, the searches or both.
 */
export function dashboardQueries(
  random: Random,
  idNumbers: string[],
  count: number,
  kinds: readonly QueryKind[] = ['list', 'search'],
): Array<{ path: string; label: string }> {
  const commune = () => communeCode(Math.floor(Math.pow(random(), 1.5) * COMMUNE_COUNT));
  const popularProcedure = () => procedureCode(Math.floor(Math.pow(random(), 3) * COMMUNE_PROCEDURE_COUNT));
  const anyProcedure = () => procedureCode(Math.floor(random() * PROCEDURE_COUNT));
  const month = () => {
    const year = 2024 + Math.floor(random() * 3);
    const m = 1 + Math.floor(random() * (year === 2026 ? 10 : 12));
    const mm = String(m).padStart(2, '0');
    const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
    return `receivedFrom=${year}-${mm}-01&receivedTo=${year}-${mm}-${last}`;
  };
  const fragment = () => {
    const p = randomPerson(random);
    const r = random();
    const text =
      r < 0.4
        ? `${p.family} ${p.middle} ${p.given}`
        : r < 0.7
          ? `${p.middle} ${p.given}`
          : r < 0.85
            ? searchKey(`${p.family} ${p.middle} ${p.given}`)
            : p.given;
    return encodeURIComponent(text);
  };
  const all: Array<[string, number, QueryKind, () => string]> = [
    ['unit', 15, 'list', () => `unitCode=${commune()}`],
    ['unit+status', 15, 'list', () => `unitCode=${commune()}&status=received,processing`],
    ['overdue', 5, 'list', () => `timeliness=overdue`],
    ['unit+overdue', 10, 'list', () => `unitCode=${commune()}&timeliness=overdue`],
    ['q', 15, 'search', () => `q=${fragment()}`],
    ['unit+q', 5, 'search', () => `unitCode=${commune()}&q=${fragment()}`],
    ['idNumber', 10, 'search', () => `idNumber=${pick(random, idNumbers)}`],
    ['received month', 5, 'list', () => month()],
    ['unit+received month', 5, 'list', () => `unitCode=${commune()}&${month()}`],
    ['procedure', 5, 'list', () => `procedureCode=${anyProcedure()}`],
    ['procedure+status', 10, 'list', () => `procedureCode=${popularProcedure()}&status=received,processing`],
  ];
  const templates = all.filter(([, , kind]) => kinds.includes(kind));
  const cumulative = cumulativeOf(templates.map(([, w]) => w));
  return Array.from({ length: count }, () => {
    const [label, , , make] = templates[pickWeighted(random, cumulative)]!;
    return { label, path: `/v1/dossiers?${make()}` };
  });
}

/** Endless rotation over a list. */
export function rotation<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

export interface DossierSample {
  /** The highest dossier id before the run: rows above it were written by the run. */
  maxId: number;
  codes: string[];
  idNumbers: string[];
}

/** About `size` seeded dossiers picked at random by id: their codes and applicants' id numbers. */
export async function sampleDossiers(
  client: pg.Client,
  random: Random,
  size: number,
): Promise<DossierSample> {
  const { rows: bounds } = await client.query<{ max: string }>('select max(id) as max from dossiers');
  const maxId = Number(bounds[0]!.max);
  const ids = Array.from({ length: size }, () => 1 + Math.floor(random() * maxId));
  const { rows } = await client.query<{ code: string; id_number: string | null }>(
    'select code, applicant_id_number as id_number from dossiers where id = any($1::bigint[])',
    [ids],
  );
  return {
    maxId,
    codes: rows.map((r) => r.code),
    idNumbers: rows.flatMap((r) => (r.id_number ? [r.id_number] : [])),
  };
}
