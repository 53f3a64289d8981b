import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { allow, isSystemAdmin } from '../auth/plugin.js';
import { DomainError } from '../domain/errors.js';
import { fieldError } from '../http/messages.js';
import { weekdayOf } from '../domain/local-time.js';
import { buildCalendar, type WorkingHours } from '../domain/working-time.js';
import type { Granularity } from '../domain/timeliness.js';
import { recomputeForCalendarChange } from '../dossiers/commands.js';
import { formatClock } from '../domain/local-time.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import type { CalendarCache } from './cache.js';
import {
  deleteDay,
  findYear,
  listAllOverrides,
  listDaysOfYear,
  setYearStatus,
  upsertDay,
} from './queries.js';
import {
  CalendarDay,
  CalendarYear,
  CalendarYearStatus,
  DateParams,
  PutCalendarDayBody,
  PutYearStatusBody,
  YearParams,
} from './schemas.js';

const tags = ['calendar'];

/** Only the system admin (an admin key with no unit) edits the calendar. */
function assertSystemAdmin(principal: Parameters<typeof isSystemAdmin>[0]) {
  if (!isSystemAdmin(principal))
    throw new DomainError('FORBIDDEN', { role: principal.role === 'admin' ? 'unit_admin' : principal.role });
}

/** A working_day override only makes sense on a weekend, a day_off only on a weekday. */
function assertKindFitsWeekday(date: string, kind: 'holiday' | 'day_off' | 'working_day') {
  const weekend = [0, 6].includes(weekdayOf(date));
  if (kind === 'working_day' && !weekend) throw fieldError('body.kind', 'working_day_on_weekday');
  if (kind === 'day_off' && weekend) throw fieldError('body.kind', 'day_off_on_weekend');
}

export const calendarRoutes: FastifyPluginAsyncZod<{
  db: Db;
  calendars: CalendarCache;
  workingHours: WorkingHours;
  granularity: Granularity;
  clock: () => Date;
}> = async (app, { db, calendars, workingHours, granularity, clock }) => {
  const hours = workingHours.map((i) => ({ start: formatClock(i.start), end: formatClock(i.end) }));

  /** Open dossiers whose due or open step's due depends on the edited day are recomputed in the same transaction. */
  async function recomputeAfterEdit(tx: Tx, date: string, actorKeyId: string) {
    const calendar = buildCalendar({ overrides: await listAllOverrides(tx), workingHours });
    await recomputeForCalendarChange(tx, calendar, date, actorKeyId, clock(), granularity);
  }

  app.get('/calendar/:year', {
    schema: {
      operationId: 'getCalendarYear',
      summary: 'Working-time calendar of a year',
      description:
        'The overrides (holidays, days off, worked weekend days) of a year and whether it is confirmed.',
      tags,
      security: bearerSecurity,
      params: YearParams,
      response: { 200: CalendarYear, ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const { year } = request.params;
      const [status, days] = await Promise.all([findYear(db, year), listDaysOfYear(db, year)]);
      return {
        year,
        status: status?.status ?? 'provisional',
        workingHours: hours,
        days: days.map(({ date, kind, name, source }) => ({ date, kind, name, source })),
      };
    },
  });

  app.put('/calendar/days/:date', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'putCalendarDay',
      summary: 'Set a calendar override',
      description:
        'Marks a date as a holiday, a day off or a worked weekend day (system admin only). working_day only on a ' +
        'Saturday or Sunday, day_off only on a weekday (else 400). Open dossiers whose due date depends on it ' +
        'are recomputed.',
      tags,
      security: bearerSecurity,
      params: DateParams,
      body: PutCalendarDayBody,
      response: { 200: CalendarDay, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      assertSystemAdmin(request.principal);
      assertKindFitsWeekday(request.params.date, request.body.kind);
      const row = await db.transaction(async (tx) => {
        const saved = await upsertDay(tx, { date: request.params.date, ...request.body });
        await recomputeAfterEdit(tx, request.params.date, request.principal.keyId);
        return saved;
      });
      calendars.invalidate();
      return { date: row.date, kind: row.kind, name: row.name, source: row.source };
    },
  });

  app.delete('/calendar/days/:date', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'deleteCalendarDay',
      summary: 'Remove a calendar override',
      description: 'The date follows the Monday–Friday rule again (system admin only).',
      tags,
      security: bearerSecurity,
      params: DateParams,
      response: { 204: z.undefined().describe('Removed'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      assertSystemAdmin(request.principal);
      await db.transaction(async (tx) => {
        if (!(await deleteDay(tx, request.params.date))) {
          throw new DomainError('CALENDAR_DAY_NOT_FOUND', { date: request.params.date });
        }
        await recomputeAfterEdit(tx, request.params.date, request.principal.keyId);
      });
      calendars.invalidate();
      return reply.code(204).send();
    },
  });

  app.put('/calendar/:year/status', {
    preHandler: allow('admin'),
    schema: {
      operationId: 'putCalendarYearStatus',
      summary: 'Confirm a calendar year',
      description: 'Marks a year confirmed once its days match the announcement, or back to provisional.',
      tags,
      security: bearerSecurity,
      params: YearParams,
      body: PutYearStatusBody,
      response: { 200: CalendarYearStatus, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      assertSystemAdmin(request.principal);
      const row = await setYearStatus(db, request.params.year, request.body.status);
      return { year: row.year, status: row.status };
    },
  });
};
