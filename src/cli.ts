import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from './config.js';
import { connectDatabaseOrExit, type Database } from './db/client.js';
import { seedReferenceData } from './db/seed.js';
import { insertApiKey, roles, type Role } from './auth/keys.js';
import { findUnit } from './units/queries.js';
import { importUnitsCsv } from './units/import.js';
import { importProceduresCsv } from './procedures/import.js';
import { importProcessesCsv } from './processes/import.js';
import { dayLengthOf, parseWorkingHours } from './domain/working-time.js';
import type { Principal } from './auth/plugin.js';
import type { ImportReport } from './lib/import.js';
import type { Lang } from './http/messages.js';
import { DomainError } from './domain/errors.js';
import { describeDomainError } from './http/problem.js';
import { checkOfficerUnder } from './officers/commands.js';

const usage = `usage: npm run cli -- <command>

  db migrate                                       apply pending migrations and seed reference data
  keys create --role ROLE [--unit CODE] --name N   create an API key and print its secret once
        [--officer CODE]                           (ROLE: ${roles.join(', ')}; no --unit = whole system;
                                                   --officer: a personal key, acting as that officer)
  units import FILE.csv [--lang en]                import units (header: code,name,parentCode[,active])
  procedures import FILE.csv [--lang en]           import procedures (header: code,name,fieldCode,fieldName,
                                                   durationValue,durationUnit[,onlineDurationValue,
                                                   onlineDurationUnit,receiptCutoff,supplementPolicy,
                                                   onlineLevel,fee,active])
  processes import FILE.csv [--lang en]            import internal processes, one row per step (header:
                                                   procedureCode,stepOrder,stepCode,stepName,allotmentValue,
                                                   allotmentUnit[,onlineAllotmentValue,onlineAllotmentUnit]);
                                                   a procedure's rows replace its process as one new version
                                                   imports are all or nothing, errors by line, in Vietnamese
                                                   (--lang en: English)
`;

/** An import's file and the language of its error report (Vietnamese unless --lang en). */
function importArgs(rest: string[]): { file: string | undefined; lang: Lang } {
  const { values, positionals } = parseArgs({
    args: rest,
    options: { lang: { type: 'string' } },
    allowPositionals: true,
  });
  return { file: positionals[0], lang: values.lang === 'en' ? 'en' : 'vi' };
}

/** Imports the CSV file named in `rest`, printing its errors by line; the exit code. */
async function runImport(
  rest: string[],
  what: string,
  importCsv: (text: string, lang: Lang) => Promise<ImportReport>,
): Promise<number> {
  const { file, lang } = importArgs(rest);
  if (!file) {
    console.error(usage);
    return 2;
  }
  const report = await importCsv(await readFile(file, 'utf8'), lang);
  for (const e of report.errors) console.error(`${file}:${e.line}: ${e.message}`);
  if (report.errors.length) {
    console.error('nothing imported');
    return 1;
  }
  console.log(`${what}: ${report.created} created, ${report.updated} updated`);
  return 0;
}

/** The CLI acts as the system admin: whoever runs it has the database in hand anyway. */
const systemAdmin: Principal = {
  keyId: 'cli',
  role: 'admin',
  unitCode: null,
  scopePath: null,
  officerCode: null,
};

async function run(database: Database, argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  switch (`${group} ${command}`) {
    case 'db migrate': {
      await database.migrate();
      await seedReferenceData(database.db);
      console.log(`migrated ${database.location}`);
      return 0;
    }
    case 'keys create': {
      const { values } = parseArgs({
        args: rest,
        options: {
          role: { type: 'string' },
          unit: { type: 'string' },
          name: { type: 'string' },
          officer: { type: 'string' },
        },
      });
      if (!values.role || !roles.includes(values.role as Role) || !values.name) {
        console.error(`keys create needs --role (${roles.join(', ')}) and --name\n\n${usage}`);
        return 2;
      }
      const unit = values.unit ? await findUnit(database.db, values.unit) : null;
      if (values.unit && !unit) {
        console.error(`unit ${values.unit} does not exist`);
        return 1;
      }
      if (values.officer) {
        try {
          await checkOfficerUnder(database.db, values.officer, unit?.path ?? null, 'officer_in_key_unit');
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          console.error(describeDomainError(err, 'en'));
          return 1;
        }
      }
      const { row, secret } = await insertApiKey(database.db, {
        name: values.name,
        role: values.role as Role,
        unitCode: values.unit ?? null,
        officerCode: values.officer ?? null,
      });
      const officer = row.officerCode ? `, officer ${row.officerCode}` : '';
      console.log(`created key ${row.id} (${row.role}, scope ${row.unitCode ?? 'whole system'}${officer})`);
      console.log(`secret (shown once): ${secret}`);
      return 0;
    }
    case 'units import':
      return runImport(rest, 'units', (text, lang) => importUnitsCsv(database.db, systemAdmin, text, lang));
    case 'procedures import':
      return runImport(rest, 'procedures', (text, lang) =>
        importProceduresCsv(database.db, systemAdmin, text, lang),
      );
    case 'processes import':
      return runImport(rest, 'processes', (text, lang) =>
        importProcessesCsv(database.db, systemAdmin, text, dayLengthOf(workingHours()), lang),
      );
    default:
      console.error(usage);
      return 2;
  }
}

const config = loadConfigOrExit();
/** The configured working hours: a process's days are worth one working day of them. */
const workingHours = () => parseWorkingHours(config.WORKING_HOURS);
const database = await connectDatabaseOrExit(config);
let code = 1;
try {
  if (process.argv[2] !== 'db') await database.migrate();
  code = await run(database, process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
} finally {
  await database.close();
}
process.exit(code);
