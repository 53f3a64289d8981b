import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import type { CalendarCache } from '../calendar/cache.js';
import { computeStartAndDue } from '../domain/deadlines.js';
import { fieldError } from '../http/messages.js';
import { formatInstant } from '../domain/local-time.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { DeadlinePreview, DeadlinePreviewBody } from './schemas.js';
import { deadlineTermsFor } from './terms.js';

export const deadlineRoutes: FastifyPluginAsyncZod<{ db: Db; calendars: CalendarCache }> = async (
  app,
  { db, calendars },
) => {
  app.post('/deadlines/preview', {
    schema: {
      operationId: 'previewDeadline',
      summary: 'Preview start and due for a receipt',
      description:
        'What the receipt slip would say: the instant the clock starts (next working instant, receipt cut-off) ' +
        'and the statutory due date, in working time with the current calendar.',
      tags: ['deadlines'],
      security: bearerSecurity,
      body: DeadlinePreviewBody,
      response: { 200: DeadlinePreview, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => {
      const body = request.body;
      const terms = await deadlineTermsFor(db, body);
      const calendar = await calendars.current(db);
      try {
        const { startAt, dueAt } = computeStartAndDue(
          calendar,
          new Date(body.receivedAt),
          terms.duration,
          terms.cutoff,
        );
        return { startAt: formatInstant(startAt), dueAt: formatInstant(dueAt), duration: terms.duration };
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        // The due date would fall outside the calendar's years.
        throw fieldError('body.receivedAt', 'due_outside_calendar');
      }
    },
  });
};
