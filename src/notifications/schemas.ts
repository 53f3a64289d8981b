import { z } from 'zod';
import { InstantString } from '../http/schemas.js';
import { notifyingEvents } from './templates.js';

export const Notification = z
  .object({
    id: z
      .uuid()
      .describe(
        'The message\u2019s identity at the receiver: the e-mail\u2019s Message-ID (<id@sender domain>) and the SMS ' +
          'body\u2019s `id`; a message sent again carries the same one.',
      ),
    channel: z.enum(['email', 'sms']),
    event: z.enum(notifyingEvents).describe('The dossier event the applicant was told of.'),
    to: z
      .string()
      .describe('The address, masked: the e-mail its first letter and domain, the phone its last 4 digits.')
      .meta({ example: '******5678' }),
    status: z
      .enum(['pending', 'retrying', 'sent', 'given_up'])
      .describe(
        'pending: not tried yet; retrying: failed, tried again with back-off; sent: accepted by the SMTP server ' +
          'or the SMS gateway; given_up: failed on every attempt.',
      ),
    attempts: z.number().int().describe('How many times it was tried.'),
    lastError: z
      .string()
      .nullable()
      .describe(
        'What went wrong on the last failed attempt, as a code (`SMTP 451`, `HTTP 500`, `ECONNREFUSED`).',
      ),
    createdAt: InstantString,
    sentAt: InstantString.nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationList = z
  .object({ items: z.array(Notification).describe('Oldest first.') })
  .meta({ id: 'NotificationList' });
