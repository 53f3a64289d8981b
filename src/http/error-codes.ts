import type { ErrorCode } from '../domain/errors.js';

interface ErrorSpec {
  status: number;
  /** English title; `titleVi` the Vietnamese one (the response's title follows the request's language). */
  title: string;
  titleVi: string;
  /** Message templates; `{name}` is replaced by the error's params. */
  en: string;
  vi: string;
}

/**
 * The one table from error code to HTTP status, title and detail (English and Vietnamese; whole sentences). A
 * `{reason}` is a message key of src/http/messages.ts; `{state}`, `{action}` and `{role}` are named per language.
 */
export const errorTable: Record<ErrorCode, ErrorSpec> = {
  VALIDATION_FAILED: {
    status: 400,
    title: 'Validation failed',
    titleVi: 'Dữ liệu không hợp lệ',
    en: 'The request is not valid. {summary}',
    vi: 'Yêu cầu có dữ liệu không hợp lệ. {summary}',
  },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'Malformed request',
    titleVi: 'Yêu cầu không đọc được',
    en: 'The request could not be read. {reason}',
    vi: 'Không đọc được yêu cầu. {reason}',
  },
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    titleVi: 'Chưa xác thực',
    en: 'A valid API key is required (Authorization: Bearer <key>).',
    vi: 'Cần khóa API hợp lệ (Authorization: Bearer <khóa>).',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    titleVi: 'Không có quyền',
    en: 'The role {role} may not perform this operation.',
    vi: 'Khóa API có vai trò «{role}» không được phép thực hiện thao tác này.',
  },
  APPLICANT_FILTER_FORBIDDEN: {
    status: 403,
    title: 'Applicant filter forbidden',
    titleVi: 'Không được tìm theo dữ liệu cá nhân',
    en: 'A {role} key may not search dossiers by {filter}, since that would reveal who has a dossier.',
    vi: 'Khóa API có vai trò «{role}» không được tìm hồ sơ theo {filter}, vì như vậy sẽ tiết lộ ai có hồ sơ.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: 'Route not found',
    titleVi: 'Không có thao tác này',
    en: 'No operation {method} {url}.',
    vi: 'Không có thao tác {method} {url} trong dịch vụ này.',
  },
  UNIT_NOT_FOUND: {
    status: 404,
    title: 'Unit not found',
    titleVi: 'Không tìm thấy đơn vị',
    en: 'Unit {code} does not exist.',
    vi: 'Không tồn tại đơn vị {code}.',
  },
  UNIT_ALREADY_EXISTS: {
    status: 409,
    title: 'Unit already exists',
    titleVi: 'Đơn vị đã tồn tại',
    en: 'Unit {code} already exists.',
    vi: 'Đơn vị {code} đã tồn tại.',
  },
  UNIT_PARENT_INVALID: {
    status: 422,
    title: 'Invalid parent unit',
    titleVi: 'Đơn vị cấp trên không hợp lệ',
    en: 'Unit {code} cannot have {parentCode} as its parent. {reason}',
    vi: 'Đơn vị {code} không thể trực thuộc đơn vị {parentCode}. {reason}',
  },
  UNIT_INACTIVE: {
    status: 422,
    title: 'Unit inactive',
    titleVi: 'Đơn vị đã ngừng hoạt động',
    en: 'Unit {code} is deactivated.',
    vi: 'Đơn vị {code} đã ngừng hoạt động.',
  },
  API_KEY_NOT_FOUND: {
    status: 404,
    title: 'API key not found',
    titleVi: 'Không tìm thấy khóa API',
    en: 'API key {id} does not exist.',
    vi: 'Không tồn tại khóa API {id}.',
  },
  OFFICER_NOT_FOUND: {
    status: 404,
    title: 'Officer not found',
    titleVi: 'Không tìm thấy cán bộ',
    en: 'Officer {code} does not exist.',
    vi: 'Không tồn tại cán bộ {code}.',
  },
  OFFICER_EXISTS: {
    status: 409,
    title: 'Officer already exists',
    titleVi: 'Cán bộ đã tồn tại',
    en: 'An officer with code {code} already exists.',
    vi: 'Đã có cán bộ với mã {code}.',
  },
  OFFICER_NOT_IN_SCOPE: {
    status: 400,
    title: 'Officer not in scope',
    titleVi: 'Cán bộ không thuộc đơn vị được phép',
    en: 'Officer {code} cannot be named here. {reason}',
    vi: 'Không thể chỉ định cán bộ {code}. {reason}',
  },
  OFFICER_INACTIVE: {
    status: 400,
    title: 'Officer inactive',
    titleVi: 'Cán bộ đã ngừng hoạt động',
    en: 'Officer {code} is deactivated.',
    vi: 'Cán bộ {code} đã ngừng hoạt động.',
  },
  OFFICER_MISMATCH: {
    status: 403,
    title: 'Officer mismatch',
    titleVi: 'Không đúng cán bộ của khóa',
    en: 'This personal API key acts as officer {keyOfficerCode}; it may not act as officer {code}.',
    vi: 'Khóa API cá nhân này là của cán bộ {keyOfficerCode}, không được thao tác với tư cách cán bộ {code}.',
  },
  OFFICER_REQUIRED: {
    status: 400,
    title: 'Officer required',
    titleVi: 'Cần ghi rõ cán bộ thực hiện',
    en: 'Unit {unitCode} requires the acting officer: name the officer, or use a personal API key.',
    vi: 'Đơn vị {unitCode} yêu cầu ghi rõ cán bộ thực hiện: hãy ghi mã cán bộ, hoặc dùng khóa API cá nhân.',
  },
  KEY_OFFICER_INACTIVE: {
    status: 403,
    title: 'Officer of the key inactive',
    titleVi: 'Cán bộ của khóa đã ngừng hoạt động',
    en: 'This personal API key belongs to officer {code}, who is deactivated: it may not act until the officer is active again.',
    vi: 'Khóa API cá nhân này là của cán bộ {code}, người đã ngừng hoạt động, nên không được thao tác cho đến khi cán bộ hoạt động trở lại.',
  },
  PROCEDURE_NOT_FOUND: {
    status: 404,
    title: 'Procedure not found',
    titleVi: 'Không tìm thấy thủ tục',
    en: 'Procedure {code} does not exist.',
    vi: 'Không tồn tại thủ tục {code}.',
  },
  PROCEDURE_ALREADY_EXISTS: {
    status: 409,
    title: 'Procedure already exists',
    titleVi: 'Thủ tục đã tồn tại',
    en: 'Procedure {code} already exists.',
    vi: 'Thủ tục {code} đã tồn tại.',
  },
  PROCEDURE_INACTIVE: {
    status: 422,
    title: 'Procedure inactive',
    titleVi: 'Thủ tục không còn áp dụng',
    en: 'Procedure {code} is not active.',
    vi: 'Thủ tục {code} không còn áp dụng.',
  },
  PROCESS_VERSION_NOT_FOUND: {
    status: 404,
    title: 'Process version not found',
    titleVi: 'Không tìm thấy phiên bản quy trình',
    en: 'Procedure {code} has no internal process version {version}.',
    vi: 'Thủ tục {code} không có phiên bản {version} của quy trình nội bộ.',
  },
  PROCESS_EXCEEDS_STATUTORY_TIME: {
    status: 400,
    title: 'Process exceeds the statutory time',
    titleVi: 'Quy trình vượt quá thời hạn giải quyết',
    en: 'The steps of the internal process add up to {allottedMinutes}, more than the {time} of procedure {code}, {allowedMinutes}.',
    vi: 'Tổng thời gian các bước của quy trình nội bộ là {allottedMinutes}, vượt quá {time} của thủ tục {code} là {allowedMinutes}.',
  },
  DOSSIER_NOT_FOUND: {
    status: 404,
    title: 'Dossier not found',
    titleVi: 'Không tìm thấy hồ sơ',
    en: 'Dossier {code} does not exist.',
    vi: 'Không tồn tại hồ sơ {code}.',
  },
  STEP_NOT_IN_PROCESS: {
    status: 400,
    title: 'Step not in the process',
    titleVi: 'Quy trình không có bước này',
    en: 'The internal process dossier {code} follows (procedure {procedureCode}) has no step {stepCode}.',
    vi: 'Quy trình nội bộ mà hồ sơ {code} áp dụng (thủ tục {procedureCode}) không có bước {stepCode}.',
  },
  CALENDAR_DAY_NOT_FOUND: {
    status: 404,
    title: 'Calendar day not found',
    titleVi: 'Không tìm thấy ngày điều chỉnh',
    en: 'There is no override for {date}.',
    vi: 'Lịch làm việc không có ngày điều chỉnh {date}.',
  },
  WEBHOOK_NOT_FOUND: {
    status: 404,
    title: 'Webhook not found',
    titleVi: 'Không tìm thấy đăng ký nhận sự kiện',
    en: 'Webhook {id} does not exist.',
    vi: 'Không tồn tại đăng ký nhận sự kiện {id}.',
  },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    status: 404,
    title: 'Webhook delivery not found',
    titleVi: 'Không tìm thấy lần gửi sự kiện',
    en: 'Delivery {id} of this webhook does not exist.',
    vi: 'Không tồn tại lần gửi sự kiện {id} của đăng ký này.',
  },
  ALERT_NOT_FOUND: {
    status: 404,
    title: 'Alert not found',
    titleVi: 'Không tìm thấy cảnh báo',
    en: 'Alert {id} does not exist.',
    vi: 'Không tồn tại cảnh báo {id}.',
  },
  INVALID_TRANSITION: {
    status: 409,
    title: 'Invalid transition',
    titleVi: 'Thao tác không hợp lệ với trạng thái hồ sơ',
    en: 'A dossier in state {state} cannot {action}.',
    vi: 'Hồ sơ ở trạng thái «{state}» không thể thực hiện thao tác «{action}».',
  },
  VERSION_MISMATCH: {
    status: 412,
    title: 'Version mismatch',
    titleVi: 'Hồ sơ đã thay đổi',
    en: 'The dossier changed: it is at version {current}, the request expected {expected}.',
    vi: 'Hồ sơ đã thay đổi: phiên bản hiện tại là {current}, yêu cầu dựa trên phiên bản {expected}.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    titleVi: 'Idempotency-Key đã được dùng',
    en: 'The Idempotency-Key was already used with a different request body.',
    vi: 'Tiêu đề Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    titleVi: 'Nội dung quá lớn',
    en: 'The request body exceeds {limit} bytes.',
    vi: 'Nội dung yêu cầu vượt quá {limit} byte.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    titleVi: 'Định dạng nội dung không được hỗ trợ',
    en: 'Send the body as application/json.',
    vi: 'Hãy gửi nội dung dạng application/json.',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    titleVi: 'Quá nhiều yêu cầu',
    en: 'Too many requests for this API key; retry later.',
    vi: 'Quá nhiều yêu cầu với khóa API này; hãy thử lại sau.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    titleVi: 'Dịch vụ tạm thời không sẵn sàng',
    en: 'A backing service is unavailable; retry later.',
    vi: 'Dịch vụ phụ trợ tạm thời không sẵn sàng; hãy thử lại sau.',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal error',
    titleVi: 'Lỗi hệ thống',
    en: 'An unexpected error occurred. Quote the request id when reporting it.',
    vi: 'Đã xảy ra lỗi không mong muốn. Khi báo lỗi, hãy gửi kèm mã yêu cầu (requestId).',
  },
};
