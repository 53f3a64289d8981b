import type { ErrorCode } from '../domain/errors.js';

interface ErrorSpec {
  status: number;
  title: string;
  /** Message templates; `{name}` is replaced by the error's params. */
  en: string;
  vi: string;
}

/** The one table from error code to HTTP status and message (English and Vietnamese). */
export const errorTable: Record<ErrorCode, ErrorSpec> = {
  VALIDATION_FAILED: {
    status: 400,
    title: 'Validation failed',
    en: 'The request is not valid: {summary}',
    vi: 'Yêu cầu không hợp lệ: {summary}',
  },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'Malformed request',
    en: 'The request body could not be read: {summary}',
    vi: 'Không đọc được nội dung yêu cầu: {summary}',
  },
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    en: 'A valid API key is required (Authorization: Bearer <key>).',
    vi: 'Cần khóa API hợp lệ (Authorization: Bearer <khóa>).',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    en: 'The role {role} may not perform this operation.',
    vi: 'Vai trò {role} không được phép thực hiện thao tác này.',
  },
  APPLICANT_FILTER_FORBIDDEN: {
    status: 403,
    title: 'Applicant filter forbidden',
    en: 'A {role} key may not search dossiers by {filter}, since that would reveal who has a dossier.',
    vi: 'Khóa có vai trò {role} không được tìm hồ sơ theo {filter}, vì như vậy sẽ tiết lộ ai có hồ sơ.',
  },
  NOT_FOUND: { status: 404, title: 'Not found', en: 'Not found.', vi: 'Không tìm thấy.' },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: 'Route not found',
    en: 'No operation {method} {url}.',
    vi: 'Không có thao tác {method} {url}.',
  },
  UNIT_NOT_FOUND: {
    status: 404,
    title: 'Unit not found',
    en: 'Unit {code} does not exist.',
    vi: 'Không tồn tại đơn vị {code}.',
  },
  UNIT_ALREADY_EXISTS: {
    status: 409,
    title: 'Unit already exists',
    en: 'Unit {code} already exists.',
    vi: 'Đơn vị {code} đã tồn tại.',
  },
  UNIT_PARENT_INVALID: {
    status: 422,
    title: 'Invalid parent unit',
    en: 'Unit {code} cannot have {parentCode} as its parent: {reason}.',
    vi: 'Đơn vị {code} không thể trực thuộc {parentCode}: {reason}.',
  },
  UNIT_INACTIVE: {
    status: 422,
    title: 'Unit inactive',
    en: 'Unit {code} is deactivated.',
    vi: 'Đơn vị {code} đã ngừng hoạt động.',
  },
  API_KEY_NOT_FOUND: {
    status: 404,
    title: 'API key not found',
    en: 'API key {id} does not exist.',
    vi: 'Không tồn tại khóa API {id}.',
  },
  PROCEDURE_NOT_FOUND: {
    status: 404,
    title: 'Procedure not found',
    en: 'Procedure {code} does not exist.',
    vi: 'Không tồn tại thủ tục {code}.',
  },
  PROCEDURE_ALREADY_EXISTS: {
    status: 409,
    title: 'Procedure already exists',
    en: 'Procedure {code} already exists.',
    vi: 'Thủ tục {code} đã tồn tại.',
  },
  PROCEDURE_INACTIVE: {
    status: 422,
    title: 'Procedure inactive',
    en: 'Procedure {code} is not active.',
    vi: 'Thủ tục {code} không còn áp dụng.',
  },
  DOSSIER_NOT_FOUND: {
    status: 404,
    title: 'Dossier not found',
    en: 'Dossier {code} does not exist.',
    vi: 'Không tồn tại hồ sơ {code}.',
  },
  CALENDAR_DAY_NOT_FOUND: {
    status: 404,
    title: 'Calendar day not found',
    en: 'There is no override for {date}.',
    vi: 'Không có ngày điều chỉnh {date}.',
  },
  INVALID_TRANSITION: {
    status: 409,
    title: 'Invalid transition',
    en: 'A dossier in state {state} cannot {action}.',
    vi: 'Hồ sơ ở trạng thái {state} không thể thực hiện {action}.',
  },
  VERSION_MISMATCH: {
    status: 412,
    title: 'Version mismatch',
    en: 'The dossier changed: it is at version {current}, the request expected {expected}.',
    vi: 'Hồ sơ đã thay đổi: phiên bản hiện tại {current}, yêu cầu mong đợi {expected}.',
  },
  PRECONDITION_REQUIRED: {
    status: 428,
    title: 'Precondition required',
    en: 'This operation requires an If-Match header.',
    vi: 'Thao tác này cần tiêu đề If-Match.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    en: 'The Idempotency-Key was already used with a different request body.',
    vi: 'Idempotency-Key đã được dùng với nội dung yêu cầu khác.',
  },
  IDEMPOTENCY_KEY_IN_PROGRESS: {
    status: 409,
    title: 'Idempotency key in progress',
    en: 'A request with this Idempotency-Key is still being processed; retry shortly.',
    vi: 'Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    en: 'The request body exceeds {limit} bytes.',
    vi: 'Nội dung yêu cầu vượt quá {limit} byte.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    en: 'Send the body as application/json.',
    vi: 'Hãy gửi nội dung dạng application/json.',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not acceptable',
    en: 'None of the requested formats is available.',
    vi: 'Không có định dạng được yêu cầu.',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    en: 'Too many requests for this API key; retry later.',
    vi: 'Quá nhiều yêu cầu với khóa API này; hãy thử lại sau.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    en: 'A backing service is unavailable; retry later.',
    vi: 'Dịch vụ phụ trợ tạm thời không sẵn sàng; hãy thử lại sau.',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal error',
    en: 'An unexpected error occurred. Quote the request id when reporting it.',
    vi: 'Đã xảy ra lỗi không mong muốn. Hãy gửi kèm mã yêu cầu khi báo lỗi.',
  },
};
