import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery, pageOf } from '../http/schemas.js';
import { OfficerCode } from '../officers/schemas.js';
import { UnitCode } from '../units/schemas.js';
import { roles } from './keys.js';

export const Role = z
  .enum(roles)
  .describe(
    'admin: manage units, procedures and keys in scope (no unit = system admin); clerk: intake and actions; ' +
      'viewer: read-only, personal data masked; sync: read with personal data, change feed, webhooks.',
  );

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string().meta({ example: 'Phần mềm một cửa xã Tân Hòa' }),
    role: Role,
    unitCode: UnitCode.nullable().describe('Scope: this unit and its subtree; null = the whole system.'),
    officerCode: OfficerCode.nullable().describe(
      'A personal key\u2019s officer: its actions are that officer\u2019s. Null: a unit-wide key.',
    ),
    prefix: z
      .string()
      .describe('First characters of the secret, to tell keys apart.')
      .meta({ example: 'mc_Q2x5dk' }),
    createdAt: InstantString,
    lastUsedAt: InstantString.nullable(),
    revokedAt: InstantString.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The secret. Shown only in this response; store it now.'),
}).meta({ id: 'CreatedApiKey' });

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(200).meta({ example: 'Phần mềm một cửa xã Tân Hòa' }),
    role: Role,
    unitCode: UnitCode.nullable()
      .optional()
      .describe('Scope of the new key. Omitted: your own scope. null: the whole system (system admin only).'),
    officerCode: OfficerCode.optional().describe(
      'Makes a personal key: an active officer working in the key\u2019s unit or below it (else 400 ' +
        'OFFICER_NOT_IN_SCOPE or OFFICER_INACTIVE). Its actions are recorded as that officer\u2019s.',
    ),
  })
  .meta({ id: 'CreateApiKey' });

export const ApiKeyIdParams = z.object({ id: z.uuid().meta({ maxLength: 36 }) });

export const ListApiKeysQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const ApiKeyPage = pageOf(ApiKey, 'ApiKeyPage');
