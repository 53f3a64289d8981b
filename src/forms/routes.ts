import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.js';
import { formFileName } from '../domain/forms.js';
import { periodDates } from '../domain/periods.js';
import { negotiate } from '../http/accept.js';
import { fieldError } from '../http/messages.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { readDossierForm, readRegister } from './queries.js';
import type { PdfRenderer } from './render-pool.js';
import {
  AcceptHeaders,
  DossierFormData,
  FormParams,
  PdfFile,
  Register,
  RegisterParams,
  RegisterQuery,
} from './schemas.js';

const offered = ['application/json', 'application/pdf'] as const;

function sendPdf(reply: FastifyReply, fileName: string, pdf: Buffer): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `inline; filename="${fileName}"`)
    .send(pdf);
}

export const formRoutes: FastifyPluginAsyncZod<{
  db: Db;
  renderer: PdfRenderer;
  publicBaseUrl: string;
}> = async (app, { db, renderer, publicBaseUrl }) => {
  app.get('/dossiers/:code/forms/:form', {
    schema: {
      operationId: 'getDossierForm',
      summary: 'A printable form of a dossier (Circular 03/2025/TT-VPCP, forms 01–06)',
      description:
        'Accept: application/pdf → the form as an A4 PDF to print (national motto header, the circular\u2019s ' +
        'wording, the dossier\u2019s data); otherwise its data as JSON. 01 receipt and appointment, 02 supplement ' +
        'request (the latest), 03 refusal (rejected, or resolved as refused), 04 apology and new appointment ' +
        '(naming the unit at fault), 05 notice of stopping, 06 control slip. A form that does not apply to the ' +
        'dossier → 404 FORM_NOT_APPLICABLE. Viewer keys get the personal data masked, in the PDF too.',
      tags: ['forms'],
      security: bearerSecurity,
      params: FormParams,
      headers: AcceptHeaders,
      response: {
        200: {
          description: 'The form: its data (JSON) or the printable file (PDF).',
          content: {
            'application/json': { schema: DossierFormData },
            'application/pdf': { schema: PdfFile },
          },
        },
        ...errorResponses(400, 401, 404, 406),
      },
    },
    handler: async (request, reply) => {
      const type = negotiate(request.headers.accept, offered);
      const { code, form } = request.params;
      const data = await readDossierForm(db, request.principal, code, form, publicBaseUrl);
      if (type === 'application/json') return reply.type('application/json').send(data);
      return sendPdf(reply, formFileName(form, code), await renderer.render({ kind: 'form', data }));
    },
  });

  app.get('/units/:code/register', {
    schema: {
      operationId: 'getUnitRegister',
      summary: 'A unit\u2019s tracking book over a period (Form 07, sổ theo dõi hồ sơ)',
      description:
        'One row per dossier the unit received (as the receiving unit) in the period, in the order received, with ' +
        'the circular\u2019s columns. Accept: application/pdf → the A4 landscape PDF; otherwise JSON. A unit ' +
        'outside your scope → 404. Viewer keys get the applicants masked.',
      tags: ['forms'],
      security: bearerSecurity,
      params: RegisterParams,
      querystring: RegisterQuery,
      headers: AcceptHeaders,
      response: {
        200: {
          description: 'The register: its data (JSON) or the printable file (PDF).',
          content: {
            'application/json': { schema: Register },
            'application/pdf': { schema: PdfFile },
          },
        },
        ...errorResponses(400, 401, 404, 406),
      },
    },
    handler: async (request, reply) => {
      const type = negotiate(request.headers.accept, offered);
      const q = request.query;
      const period = q.period ? periodDates(q.period) : { from: q.from!, to: q.to! };
      if (!period) throw fieldError('querystring.period', 'period_unknown');
      const data = await readRegister(db, request.principal, request.params.code, period.from, period.to);
      if (type === 'application/json') return reply.type('application/json').send(data);
      const fileName = formFileName('07', `${data.unit.code}-${period.from}-${period.to}`);
      return sendPdf(reply, fileName, await renderer.render({ kind: 'register', data }));
    },
  });
};
