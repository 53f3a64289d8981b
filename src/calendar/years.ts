/** The years the calendar covers (and the API accepts). */
export const CALENDAR_FIRST_YEAR = 1990;
export const CALENDAR_LAST_YEAR = 2100;
