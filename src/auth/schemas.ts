import { z } from 'zod';
import { CursorQuery, InstantString, LimitQuery, pageOf } from '../http/schemas.js';
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
  })
  .meta({ id: 'CreateApiKey' });

export const ApiKeyIdParams = z.object({ id: z.uuid().meta({ maxLength: 36 }) });

export const ListApiKeysQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const ApiKeyPage = pageOf(ApiKey, 'ApiKeyPage');
