import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The procedures catalogue (thủ tục hành chính): statutory times and the rules intake applies. */
export const procedures = pgTable(
  'procedures',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    fieldCode: text('field_code').notNull(),
    fieldName: text('field_name').notNull(),
    durationValue: numeric('duration_value', { mode: 'number' }).notNull(),
    durationUnit: text('duration_unit', {
      enum: ['working_hours', 'working_days', 'calendar_days'],
    }).notNull(),
    onlineDurationValue: numeric('online_duration_value', { mode: 'number' }),
    onlineDurationUnit: text('online_duration_unit', {
      enum: ['working_hours', 'working_days', 'calendar_days'],
    }),
    /** 'HH:MM': received at or after it → counted from the next working day. */
    receiptCutoff: text('receipt_cutoff'),
    supplementPolicy: text('supplement_policy', { enum: ['restart', 'extend'] })
      .notNull()
      .default('restart'),
    onlineLevel: text('online_level', { enum: ['full', 'partial', 'none'] })
      .notNull()
      .default('none'),
    /** Fee in Vietnamese đồng; null = none or not stated. */
    fee: bigint('fee', { mode: 'number' }),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('procedures_field_code_idx').on(t.fieldCode),
    check(
      'procedures_online_duration_check',
      sql`(${t.onlineDurationValue} is null) = (${t.onlineDurationUnit} is null)`,
    ),
  ],
);
