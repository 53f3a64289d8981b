import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReadRouting } from '../db/replica.js';
import { allow, type Principal } from '../auth/plugin.js';
import type { CalendarCache } from '../calendar/cache.js';
import type { IntakeTargetsCache } from './intake-targets.js';
import { IntakeStore } from './intake-batch.js';
import { dossierActions, type DossierAction } from '../domain/lifecycle.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { builtResponseSerializer } from '../http/serializer.js';
import { applyAction, intake, type CommandContext } from './commands.js';
import { listDossierPage } from './list.js';
import type { UnitTreeCache } from '../units/tree-cache.js';
import {
  readControlSlip,
  readDossier,
  readDossierEvents,
  readDossierReceipt,
  readDossierSteps,
} from './lookups.js';
import type { LiveSettings } from './representation.js';
import {
  actionBodies,
  ControlSlip,
  Dossier,
  DossierCodeParams,
  DossierEventList,
  DossierPage,
  DossierStepList,
  IntakeBody,
  ListDossiersQuery,
  Receipt,
} from './schemas.js';

const tags = ['dossiers'];

const actionSummaries: Record<DossierAction, string> = {
  accept: 'Accept an online submission (the clock starts)',
  reject: 'Reject a submission (Form 03)',
  assign: 'Assign or hand over to a unit (on the control slip, Form 06)',
  'hand-over': 'Hand over to the next step, or a named one (the step clock; the control slip, Form 06)',
  'request-supplement': 'Request a supplement (Form 02): the clock pauses',
  'receive-supplement': 'Receive the supplement: the clock resumes',
  'request-payment': 'Wait for the financial obligation: the clock pauses',
  'confirm-payment': 'Financial obligation met: the clock resumes',
  reschedule: 'Apologise and set a new return date (Form 04), once',
  resolve: 'Record the result (approved or refused)',
  return: 'Hand the result to the applicant',
  withdraw: 'The applicant withdraws',
  stop: 'Stop processing (agency decision)',
  'record-digitisation': 'Record components digitised after intake, or the result issued electronically',
};

/** The schema of a read of something a dossier holds: any key; a dossier outside the scope answers 404. */
function readByCodeSchema<T extends z.ZodType>(
  operationId: string,
  summary: string,
  description: string,
  body: T,
) {
  return {
    operationId,
    summary,
    description,
    tags,
    security: bearerSecurity,
    params: DossierCodeParams,
    response: { 200: body, ...errorResponses(400, 401, 404) },
  };
}

const operationIdOf = (action: DossierAction) =>
  `${action.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Dossier`;

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Retry-safe intake: the same key and body replay the first response.'),
});
/** An If-Match this API can compare: `*`, or one version as its ETag gives it ('"3"', 'W/"3"', or bare '3'). */
const IF_MATCH = /^\s*(?:\*|(?:W\/)?"?(\d+)"?)\s*$/;
const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(100)
    .regex(IF_MATCH, 'if_match')
    .optional()
    .describe('The ETag (version) you last saw, or *; stale → 412. Anything else → 400.'),
});

/** A request sent without a body reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

/** The version If-Match asks for (its form checked by IF_MATCH): '"3"', 'W/"3"' or '3' → 3; '*' or absent → null. */
function expectedVersion(header: string | undefined): number | null {
  const version = header === undefined ? undefined : IF_MATCH.exec(header)?.[1];
  return version === undefined ? null : Number(version);
}

function withEtag(reply: FastifyReply, version: number): FastifyReply {
  return reply.header('etag', `"${version}"`);
}

export const dossierRoutes: FastifyPluginAsyncZod<{
  db: Db;
  reads: ReadRouting;
  config: Config;
  calendars: CalendarCache;
  intakeTargets: IntakeTargetsCache;
  unitTree: UnitTreeCache;
  clock: () => Date;
}> = async (app, { db, reads, config, calendars, intakeTargets, unitTree, clock }) => {
  // The hot reads build their responses field by field (toDossierResponse): no zod encode in production.
  const serializerCompiler = builtResponseSerializer(config.NODE_ENV !== 'production');
  const intakes = new IntakeStore({ db, cache: intakeTargets });
  const context = (principal: Principal): CommandContext => ({
    db,
    calendars,
    config,
    principal,
    now: clock(),
    intakes,
  });
  const live = async (): Promise<LiveSettings> => ({
    calendar: await calendars.current(db),
    now: clock(),
    granularity: config.OUTCOME_GRANULARITY,
    dueSoonMinutes: config.DUE_SOON_MINUTES,
  });

  app.post('/dossiers', {
    preHandler: allow('clerk'),
    serializerCompiler,
    schema: {
      operationId: 'intakeDossier',
      summary: 'Receive a dossier (intake)',
      description:
        'Numbers the dossier ({unit}-{yyMMdd}-{NNNN}, gapless per unit and day), computes start and due in working ' +
        'time, and records it. Online submissions start as `submitted`; their due is computed on accept. ' +
        'Honours Idempotency-Key.',
      tags,
      security: bearerSecurity,
      headers: IdempotencyHeaders,
      body: IntakeBody,
      response: { 201: Dossier, ...errorResponses(400, 401, 403, 404, 413, 422) },
    },
    handler: async (request, reply) => {
      const result = await intake(
        context(request.principal),
        request.body,
        request.headers['idempotency-key'],
      );
      // A replay comes from storage, which does not keep the fields' order: put them back in the schema's (a
      // response stored before dossiers had a holder, or steps, had none).
      const body = result.replayed
        ? Dossier.parse({
            ...result.body,
            holder: result.body.holder ?? null,
            currentStep: result.body.currentStep ?? null,
          })
        : result.body;
      return withEtag(reply.code(201), body.version).send(body);
    },
  });

  app.get('/dossiers', {
    serializerCompiler,
    schema: {
      operationId: 'listDossiers',
      summary: 'List and search dossiers',
      description:
        'Newest first. Filters combine; `q` searches applicant names without diacritics. Viewer keys may not ' +
        'use `idNumber` or `q` (403 APPLICANT_FILTER_FORBIDDEN).',
      tags,
      security: bearerSecurity,
      querystring: ListDossiersQuery,
      response: { 200: DossierPage, ...errorResponses(400, 401, 403, 404) },
    },
    handler: (request) =>
      reads.read((replica) => listDossierPage(replica, unitTree, request.principal, request.query, live)),
  });

  app.get('/dossiers/:code', {
    serializerCompiler,
    schema: {
      operationId: 'getDossier',
      summary: 'Get a dossier',
      description: 'With its live timeliness and remaining working time. ETag carries the version.',
      tags,
      security: bearerSecurity,
      params: DossierCodeParams,
      response: { 200: Dossier, ...errorResponses(400, 401, 404) },
    },
    handler: async (request, reply) => {
      const body = await readDossier(db, request.principal, request.params.code, live);
      withEtag(reply, body.version);
      return body;
    },
  });

  app.get('/dossiers/:code/events', {
    schema: readByCodeSchema(
      'listDossierEvents',
      'The audit trail of a dossier',
      'Every intake, transition, handover and due change, oldest first. Append-only.',
      DossierEventList,
    ),
    handler: (request) => readDossierEvents(db, request.principal, request.params.code),
  });

  app.get('/dossiers/:code/receipt', {
    schema: readByCodeSchema(
      'getDossierReceipt',
      'Receipt and appointment slip (Form 01)',
      'The data printed on the giấy tiếp nhận hồ sơ và hẹn trả kết quả, with the lookup secret (mã tra cứu) and ' +
        'the public lookup address its QR code carries; viewer keys get `lookup: null`.',
      Receipt,
    ),
    handler: (request) =>
      readDossierReceipt(db, request.principal, request.params.code, config.PUBLIC_BASE_URL),
  });

  app.get('/dossiers/:code/steps', {
    schema: readByCodeSchema(
      'listDossierSteps',
      'The steps of a dossier (the step clock)',
      'Each step run of the internal process, in the order they started: who handed it over and who held it, ' +
        'its start, due, end and outcome, and the working time paused. A dossier received before steps were ' +
        'kept, or an online submission not yet accepted, has none.',
      DossierStepList,
    ),
    handler: (request) => readDossierSteps(db, request.principal, request.params.code),
  });

  app.get('/dossiers/:code/control-slip', {
    schema: readByCodeSchema(
      'getDossierControlSlip',
      'Control slip (Form 06)',
      'The data of the phiếu kiểm soát quá trình giải quyết hồ sơ: the header (dossier, applicant, procedure, ' +
        'received, statutory time, appointment date, papers) and one row per handover between the steps: who gave ' +
        'and who received it (unit and officer), when, and whether the step it ended finished early, on time or ' +
        'overdue (trước hạn / đúng hạn / quá hạn); the finish is the last row.',
      ControlSlip,
    ),
    handler: (request) => readControlSlip(db, request.principal, request.params.code),
  });

  for (const action of dossierActions) {
    // An action whose fields are all optional may come with no body at all (no content-type, nothing sent).
    const bodyOptional = actionBodies[action].safeParse({}).success;
    app.post(`/dossiers/:code/${action}`, {
      preHandler: allow('clerk'),
      ...(bodyOptional ? { preValidation: emptyBodyAsObject } : {}),
      schema: {
        operationId: operationIdOf(action),
        summary: actionSummaries[action],
        description:
          'Illegal in the dossier\u2019s state → 409 INVALID_TRANSITION naming both. Send If-Match with the ETag to ' +
          'guard against concurrent changes (stale → 412).',
        tags,
        security: bearerSecurity,
        params: DossierCodeParams,
        headers: IfMatchHeaders,
        body: actionBodies[action],
        response: { 200: Dossier, ...errorResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      handler: async (request, reply) => {
        const body = await applyAction(
          context(request.principal),
          request.params.code,
          action,
          request.body as Parameters<typeof applyAction>[3],
          expectedVersion(request.headers['if-match']),
        );
        return withEtag(reply, body.version).send(body);
      },
    });
  }
};
