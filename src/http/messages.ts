import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR } from '../calendar/years.js';
import { DomainError, type ErrorItem } from '../domain/errors.js';
import { dossierStatuses, type DossierAction, type DossierStatus } from '../domain/lifecycle.js';

/**
 * What clerks read at the counter, in both languages: the names of request fields, dossier states, actions and
 * roles, and every message about one field (`errors[].message`) or reason inside a `detail`. Messages are whole
 * sentences; `{field}` / `{Field}` is the field's name (capitalised at the start of a sentence), other `{name}`s
 * are the message's params. Validation issues are rendered here from their zod issue code and params, never from
 * zod's own English text.
 */
export type Lang = 'vi' | 'en';
export interface Text {
  vi: string;
  en: string;
}

/** Request fields by the last segment of their path, or the last two where the last alone is ambiguous. */
export const fieldNames: Record<string, Text> = {
  body: { vi: 'nội dung yêu cầu', en: 'request body' },
  querystring: { vi: 'tham số truy vấn', en: 'query' },
  params: { vi: 'tham số đường dẫn', en: 'path parameter' },
  headers: { vi: 'tiêu đề yêu cầu', en: 'request headers' },
  'if-match': { vi: 'tiêu đề If-Match', en: 'If-Match header' },
  'idempotency-key': { vi: 'tiêu đề Idempotency-Key', en: 'Idempotency-Key header' },
  code: { vi: 'mã', en: 'code' },
  name: { vi: 'tên', en: 'name' },
  'field.code': { vi: 'mã lĩnh vực', en: 'field code' },
  'field.name': { vi: 'tên lĩnh vực', en: 'field name' },
  'components.name': { vi: 'tên giấy tờ', en: 'paper name' },
  parentCode: { vi: 'mã đơn vị cấp trên', en: 'parent unit code' },
  active: { vi: 'trạng thái hoạt động', en: 'active flag' },
  limit: { vi: 'số mục mỗi trang', en: 'page size' },
  cursor: { vi: 'con trỏ trang', en: 'page cursor' },
  role: { vi: 'vai trò', en: 'role' },
  unitCode: { vi: 'mã đơn vị', en: 'unit code' },
  id: { vi: 'mã định danh', en: 'identifier' },
  field: { vi: 'lĩnh vực', en: 'field' },
  duration: { vi: 'thời hạn giải quyết', en: 'processing time' },
  'duration.value': { vi: 'độ dài thời hạn giải quyết', en: 'length of the processing time' },
  'duration.unit': { vi: 'đơn vị tính thời hạn giải quyết', en: 'unit of the processing time' },
  onlineDuration: { vi: 'thời hạn giải quyết trực tuyến', en: 'online processing time' },
  'onlineDuration.value': {
    vi: 'độ dài thời hạn giải quyết trực tuyến',
    en: 'length of the online processing time',
  },
  'onlineDuration.unit': {
    vi: 'đơn vị tính thời hạn giải quyết trực tuyến',
    en: 'unit of the online processing time',
  },
  value: { vi: 'giá trị', en: 'value' },
  unit: { vi: 'đơn vị tính', en: 'unit' },
  receiptCutoff: { vi: 'giờ chốt tiếp nhận', en: 'receipt cut-off' },
  supplementPolicy: { vi: 'cách tính thời hạn khi bổ sung', en: 'supplement policy' },
  onlineLevel: { vi: 'mức độ dịch vụ công trực tuyến', en: 'online service level' },
  fee: { vi: 'lệ phí', en: 'fee' },
  fieldCode: { vi: 'mã lĩnh vực', en: 'field code' },
  q: { vi: 'từ khóa tìm kiếm', en: 'search text' },
  year: { vi: 'năm', en: 'year' },
  date: { vi: 'ngày', en: 'date' },
  kind: { vi: 'loại', en: 'kind' },
  source: { vi: 'căn cứ', en: 'source' },
  status: { vi: 'trạng thái', en: 'status' },
  procedureCode: { vi: 'mã thủ tục', en: 'procedure code' },
  receivedAt: { vi: 'thời điểm tiếp nhận', en: 'time of receipt' },
  channel: { vi: 'kênh tiếp nhận', en: 'channel' },
  applicant: { vi: 'người nộp hồ sơ', en: 'applicant' },
  type: { vi: 'loại', en: 'type' },
  'applicant.type': { vi: 'loại người nộp hồ sơ', en: 'applicant type' },
  fullName: { vi: 'họ và tên', en: 'full name' },
  idNumber: { vi: 'số giấy tờ tùy thân', en: 'identity number' },
  phone: { vi: 'số điện thoại', en: 'phone number' },
  email: { vi: 'địa chỉ thư điện tử', en: 'email address' },
  address: { vi: 'địa chỉ', en: 'address' },
  contact: { vi: 'thông tin nhận thông báo', en: 'contact for notifications' },
  consent: { vi: 'sự đồng ý nhận thông báo', en: 'consent to notifications' },
  'contact.email': { vi: 'địa chỉ thư điện tử nhận thông báo', en: 'email address for notifications' },
  'contact.phone': { vi: 'số điện thoại nhận thông báo', en: 'phone number for notifications' },
  summary: { vi: 'trích yếu', en: 'summary' },
  components: { vi: 'thành phần hồ sơ', en: 'papers handed in' },
  copies: { vi: 'số bản', en: 'number of copies' },
  at: { vi: 'thời điểm thực hiện', en: 'time of the action' },
  reason: { vi: 'lý do', en: 'reason' },
  handlingUnitCode: { vi: 'mã đơn vị xử lý', en: 'handling unit code' },
  resolvingUnitCode: { vi: 'mã đơn vị giải quyết', en: 'resolving unit code' },
  note: { vi: 'ghi chú', en: 'note' },
  items: { vi: 'danh sách giấy tờ cần bổ sung', en: 'list of papers to supplement' },
  amount: { vi: 'số tiền', en: 'amount' },
  newDueAt: { vi: 'ngày hẹn trả mới', en: 'new return date' },
  result: { vi: 'kết quả giải quyết', en: 'result' },
  method: { vi: 'hình thức trả kết quả hoặc nộp tiền', en: 'method of return or payment' },
  digitisedComponents: {
    vi: 'vị trí thành phần hồ sơ đã số hóa',
    en: 'positions of the digitised components',
  },
  electronicResult: { vi: 'kết quả điện tử', en: 'electronic result' },
  check: { vi: 'mã kiểm chứng', en: 'check value' },
  comment: { vi: 'ý kiến', en: 'comment' },
  level: { vi: 'mức độ hài lòng', en: 'satisfaction level' },
  digitised: { vi: 'đã số hóa', en: 'digitised flag' },
  receivedFrom: { vi: 'ngày tiếp nhận từ', en: 'first day of receipt' },
  receivedTo: { vi: 'ngày tiếp nhận đến', en: 'last day of receipt' },
  dueBefore: { vi: 'hạn trả trước thời điểm', en: 'due-before instant' },
  timeliness: { vi: 'tình trạng thời hạn', en: 'timeliness' },
  period: { vi: 'kỳ báo cáo', en: 'period' },
  form: { vi: 'mẫu số', en: 'form number' },
  accept: { vi: 'tiêu đề Accept', en: 'Accept header' },
  reporting: { vi: 'cách tính kỳ báo cáo', en: 'reporting periods' },
  from: { vi: 'ngày bắt đầu', en: 'start date' },
  to: { vi: 'ngày kết thúc', en: 'end date' },
  groupBy: { vi: 'cách nhóm số liệu', en: 'grouping' },
  attribution: { vi: 'cách tính số liệu cho đơn vị', en: 'attribution' },
  format: { vi: 'định dạng', en: 'format' },
  acknowledged: { vi: 'tình trạng xác nhận', en: 'acknowledged flag' },
  dossierCode: { vi: 'mã hồ sơ', en: 'dossier code' },
  after: { vi: 'vị trí trong luồng thay đổi', en: 'feed position' },
  url: { vi: 'địa chỉ nhận', en: 'URL' },
  deliveryId: { vi: 'mã lần gửi', en: 'delivery identifier' },
  events: { vi: 'loại sự kiện', en: 'event types' },
  officerCode: { vi: 'mã cán bộ', en: 'officer code' },
  toOfficerCode: { vi: 'mã cán bộ nhận xử lý', en: 'code of the officer receiving it' },
  toUnitCode: { vi: 'mã đơn vị nhận xử lý', en: 'code of the unit receiving it' },
  stepCode: { vi: 'mã bước xử lý', en: 'step code' },
  title: { vi: 'chức danh', en: 'title' },
  requireOfficer: { vi: 'yêu cầu ghi rõ cán bộ thực hiện', en: 'officer-required flag' },
  steps: { vi: 'danh sách bước', en: 'list of steps' },
  'steps.code': { vi: 'mã bước', en: 'step code' },
  'steps.name': { vi: 'tên bước', en: 'step name' },
  allotment: { vi: 'thời gian của bước', en: 'step allotment' },
  'allotment.value': { vi: 'độ dài thời gian của bước', en: 'length of the step allotment' },
  'allotment.unit': { vi: 'đơn vị tính thời gian của bước', en: 'unit of the step allotment' },
  onlineAllotment: { vi: 'thời gian của bước khi nộp trực tuyến', en: 'online step allotment' },
  'onlineAllotment.value': {
    vi: 'độ dài thời gian của bước khi nộp trực tuyến',
    en: 'length of the online step allotment',
  },
  'onlineAllotment.unit': {
    vi: 'đơn vị tính thời gian của bước khi nộp trực tuyến',
    en: 'unit of the online step allotment',
  },
  version: { vi: 'phiên bản', en: 'version' },
  stepOrder: { vi: 'thứ tự bước', en: 'step order' },
};

/** Dossier states as the one-stop shop names them; in English, their API names. */
export const stateNames: Record<DossierStatus, Text> = {
  submitted: { vi: 'đã nộp trực tuyến, chờ tiếp nhận', en: 'submitted' },
  received: { vi: 'đã tiếp nhận', en: 'received' },
  rejected: { vi: 'từ chối tiếp nhận', en: 'rejected' },
  processing: { vi: 'đang xử lý', en: 'processing' },
  awaiting_supplement: { vi: 'chờ bổ sung', en: 'awaiting_supplement' },
  awaiting_payment: { vi: 'chờ thực hiện nghĩa vụ tài chính', en: 'awaiting_payment' },
  withdrawn: { vi: 'đã rút', en: 'withdrawn' },
  stopped: { vi: 'dừng xử lý', en: 'stopped' },
  resolved: { vi: 'đã có kết quả', en: 'resolved' },
  returned: { vi: 'đã trả kết quả', en: 'returned' },
};

/** Dossier actions (in English, their API names); `reschedule-again` is a second reschedule, which is refused. */
export const actionNames: Record<DossierAction | 'reschedule-again', Text> = {
  accept: { vi: 'tiếp nhận', en: 'accept' },
  reject: { vi: 'từ chối tiếp nhận', en: 'reject' },
  assign: { vi: 'phân công xử lý', en: 'assign' },
  'hand-over': { vi: 'bàn giao hồ sơ', en: 'hand-over' },
  'request-supplement': { vi: 'yêu cầu bổ sung', en: 'request-supplement' },
  'receive-supplement': { vi: 'nhận hồ sơ bổ sung', en: 'receive-supplement' },
  'request-payment': { vi: 'yêu cầu thực hiện nghĩa vụ tài chính', en: 'request-payment' },
  'confirm-payment': { vi: 'xác nhận đã thực hiện nghĩa vụ tài chính', en: 'confirm-payment' },
  reschedule: { vi: 'hẹn lại ngày trả', en: 'reschedule' },
  'reschedule-again': { vi: 'hẹn lại ngày trả lần thứ hai', en: 'reschedule a second time' },
  resolve: { vi: 'ghi nhận kết quả', en: 'resolve' },
  return: { vi: 'trả kết quả', en: 'return' },
  withdraw: { vi: 'rút hồ sơ', en: 'withdraw' },
  stop: { vi: 'dừng xử lý', en: 'stop' },
  'record-digitisation': { vi: 'ghi nhận số hóa', en: 'record-digitisation' },
};

/** Roles of API keys; `unit_admin` is an admin whose key is tied to a unit (not the system admin). */
export const roleNames: Record<string, Text> = {
  admin: { vi: 'quản trị', en: 'admin' },
  unit_admin: { vi: 'quản trị của một đơn vị', en: 'admin of a unit' },
  clerk: { vi: 'cán bộ một cửa', en: 'clerk' },
  viewer: { vi: 'chỉ xem', en: 'viewer' },
  sync: { vi: 'đồng bộ', en: 'sync' },
};

/** Which of a procedure's times an internal process exceeds. */
export const processTimeNames: Record<string, Text> = {
  statutory: { vi: 'thời hạn giải quyết', en: 'processing time' },
  online: { vi: 'thời hạn giải quyết trực tuyến', en: 'online processing time' },
};

/** Working minutes in working days, hours and minutes of a `dayLength`-minute day: "1 ngày 4 giờ làm việc". */
export function workingTimeText(minutes: number, dayLength: number, lang: Lang): string {
  const days = Math.floor(minutes / dayLength);
  const rest = minutes - days * dayLength;
  const amounts: Array<[number, string, string]> = [
    [days, 'ngày', 'day'],
    [Math.floor(rest / 60), 'giờ', 'hour'],
    [rest % 60, 'phút', 'minute'],
  ];
  const parts = amounts
    .filter(([n], i) => n > 0 || (minutes === 0 && i === 2))
    .map(([n, vi, en]) => (lang === 'vi' ? `${n} ${vi}` : `${n} ${en}${n === 1 ? '' : 's'}`));
  return lang === 'vi' ? `${parts.join(' ')} làm việc` : `${parts.join(' ')} of working time`;
}

const lastYear = CALENDAR_LAST_YEAR - 1;

/** Messages about one field, and reasons inside a detail. */
export const messages = {
  // By zod issue code (see issueMessage).
  required: { vi: 'Thiếu {field}.', en: 'The {field} is missing.' },
  invalid_type_string: { vi: '{Field} phải là văn bản.', en: 'The {field} must be text.' },
  invalid_type_number: { vi: '{Field} phải là một số.', en: 'The {field} must be a number.' },
  invalid_type_boolean: { vi: '{Field} phải là true hoặc false.', en: 'The {field} must be true or false.' },
  invalid_type_object: {
    vi: '{Field} phải là một đối tượng JSON.',
    en: 'The {field} must be a JSON object.',
  },
  invalid_type_array: { vi: '{Field} phải là một danh sách.', en: 'The {field} must be a list.' },
  too_small_text_empty: { vi: '{Field} không được để trống.', en: 'The {field} must not be empty.' },
  too_small_text: {
    vi: '{Field} phải có ít nhất {minimum} ký tự.',
    en: 'The {field} must have at least {minimum} characters.',
  },
  too_small_number: {
    vi: '{Field} phải từ {minimum} trở lên.',
    en: 'The {field} must be at least {minimum}.',
  },
  too_small_number_exclusive: {
    vi: '{Field} phải lớn hơn {minimum}.',
    en: 'The {field} must be greater than {minimum}.',
  },
  too_small_list: {
    vi: '{Field} phải có ít nhất {minimum} mục.',
    en: 'The {field} must have at least {minimum} items.',
  },
  too_big_text: {
    vi: '{Field} chỉ được có tối đa {maximum} ký tự.',
    en: 'The {field} may have at most {maximum} characters.',
  },
  too_big_number: {
    vi: '{Field} không được lớn hơn {maximum}.',
    en: 'The {field} must be at most {maximum}.',
  },
  too_big_number_exclusive: {
    vi: '{Field} phải nhỏ hơn {maximum}.',
    en: 'The {field} must be less than {maximum}.',
  },
  too_big_list: {
    vi: '{Field} chỉ được có tối đa {maximum} mục.',
    en: 'The {field} may have at most {maximum} items.',
  },
  invalid_value: {
    vi: '{Field} phải là một trong các giá trị: {values}.',
    en: 'The {field} must be one of: {values}.',
  },
  invalid_value_one: { vi: '{Field} phải là {values}.', en: 'The {field} must be {values}.' },
  invalid_format: { vi: '{Field} không đúng định dạng.', en: 'The {field} is not in the expected form.' },
  invalid_format_datetime: {
    vi: '{Field} phải là một thời điểm theo RFC 3339 có múi giờ, ví dụ 2025-04-29T16:30:00+07:00.',
    en: 'The {field} must be an RFC 3339 instant with an offset, e.g. 2025-04-29T16:30:00+07:00.',
  },
  invalid_format_email: {
    vi: '{Field} phải là một địa chỉ thư điện tử, ví dụ an.nguyen@example.vn.',
    en: 'The {field} must be an email address, e.g. an.nguyen@example.vn.',
  },
  invalid_format_url: {
    vi: '{Field} phải là một địa chỉ URL http hoặc https.',
    en: 'The {field} must be an http or https URL.',
  },
  invalid_format_uuid: { vi: '{Field} phải là một mã UUID.', en: 'The {field} must be a UUID.' },
  not_multiple_of: {
    vi: '{Field} phải là bội số của {divisor}.',
    en: 'The {field} must be a multiple of {divisor}.',
  },
  unrecognized_keys: {
    vi: '{Field} có trường không được phép: {keys}.',
    en: 'The {field} has fields that are not allowed: {keys}.',
  },
  invalid_union: {
    vi: '{Field} không khớp với dạng nào được chấp nhận.',
    en: 'The {field} matches none of the accepted forms.',
  },
  invalid: { vi: '{Field} không hợp lệ.', en: 'The {field} is not valid.' },

  // Written in the schemas and the commands.
  phone: {
    vi: '{Field} chỉ gồm chữ số, có thể có dấu + ở đầu, dấu cách, dấu chấm hoặc gạch ngang (8 đến 20 ký tự).',
    en: 'The {field} is digits, optionally a leading +, spaces, dots or dashes (8 to 20 characters).',
  },
  mobile_phone: {
    vi: '{Field} phải là số di động Việt Nam: 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09, hoặc +84 theo sau là 9 chữ số.',
    en: 'The {field} must be a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09, or +84 followed by 9 digits.',
  },
  unit_code: {
    vi: '{Field} gồm các nhóm chữ số và chữ in hoa ngăn cách bằng dấu chấm, ví dụ 000.17.22.H56.',
    en: 'The {field} is groups of digits and capital letters separated by dots, e.g. 000.17.22.H56.',
  },
  officer_code: {
    vi: '{Field} bắt đầu bằng chữ hoặc số, tiếp theo tối đa 39 chữ, số, dấu chấm, gạch dưới hoặc gạch ngang, ví dụ CB.0012.',
    en: 'The {field} starts with a letter or digit, followed by up to 39 letters, digits, dots, underscores or hyphens, e.g. CB.0012.',
  },
  catalogue_code: {
    vi: '{Field} gồm các nhóm chữ và số ngăn cách bằng dấu chấm hoặc gạch ngang, ví dụ 1.004616.',
    en: 'The {field} is groups of letters and digits separated by dots or hyphens, e.g. 1.004616.',
  },
  event_pattern: {
    vi: 'Mỗi loại sự kiện có dạng dossier.received, một mẫu như dossier.* hoặc alert.*, hoặc dấu *.',
    en: 'Each event type is like dossier.received, a pattern such as dossier.* or alert.*, or *.',
  },
  if_match: {
    vi: '{Field} phải là phiên bản hồ sơ lấy từ ETag (ví dụ "3") hoặc dấu *.',
    en: 'The {field} must be the dossier\'s version taken from its ETag (e.g. "3") or *.',
  },
  status_list: {
    vi: `{Field} là một hoặc nhiều trạng thái hồ sơ ngăn cách bằng dấu phẩy, trong số: ${dossierStatuses.join(', ')}.`,
    en: `The {field} is one dossier status or several separated by commas, out of: ${dossierStatuses.join(', ')}.`,
  },
  period_format: {
    vi: '{Field} viết theo dạng YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn hoặc YYYY-M9.',
    en: 'The {field} is written YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY-M9.',
  },
  clock: {
    vi: '{Field} phải là giờ phút dạng HH:MM, ví dụ 17:00.',
    en: 'The {field} must be a clock time HH:MM, e.g. 17:00.',
  },
  local_date: {
    vi: '{Field} phải là một ngày có thật, viết dạng YYYY-MM-DD.',
    en: 'The {field} must be a real date written YYYY-MM-DD.',
  },
  calendar_year: {
    vi: `Năm của {field} phải từ ${CALENDAR_FIRST_YEAR} đến ${CALENDAR_LAST_YEAR}.`,
    en: `The year of the {field} must be ${CALENDAR_FIRST_YEAR} to ${CALENDAR_LAST_YEAR}.`,
  },
  instant_year: {
    vi: `{Field} phải nằm trong các năm ${CALENDAR_FIRST_YEAR} đến ${lastYear}.`,
    en: `The {field} must lie in the years ${CALENDAR_FIRST_YEAR} to ${lastYear}.`,
  },
  duration_half_days: {
    vi: 'Thời hạn tính theo ngày làm việc phải là bội số của 0,5 ngày.',
    en: 'A time in working days must be a multiple of 0.5.',
  },
  duration_whole_days: {
    vi: 'Thời hạn tính theo ngày lịch phải là số ngày nguyên.',
    en: 'A time in calendar days must be a whole number.',
  },
  duration_whole_minutes: {
    vi: 'Thời hạn tính theo giờ làm việc phải là số phút nguyên.',
    en: 'A time in working hours must be whole minutes.',
  },
  allotment_one_minute: {
    vi: 'Thời gian của bước tính theo giờ làm việc phải từ 1 phút trở lên.',
    en: 'A step allotted in working hours needs one minute at least.',
  },
  procedure_or_duration: {
    vi: 'Hãy cho mã thủ tục hoặc thời hạn giải quyết, chỉ một trong hai.',
    en: 'Give either the procedure code or the processing time, not both.',
  },
  period_or_range: {
    vi: 'Hãy cho kỳ báo cáo, hoặc cho cả ngày bắt đầu và ngày kết thúc.',
    en: 'Give either a period or both a start date and an end date.',
  },
  range_order: {
    vi: 'Ngày bắt đầu và ngày kết thúc phải đi cùng nhau, ngày bắt đầu không được sau ngày kết thúc.',
    en: 'The start and end dates go together, and the start must not be after the end.',
  },
  period_unknown: {
    vi: 'Không có kỳ báo cáo như vậy.',
    en: 'There is no such period.',
  },
  digitisation_empty: {
    vi: 'Hãy cho ít nhất một vị trí thành phần hồ sơ đã số hóa, hoặc ghi nhận kết quả điện tử.',
    en: 'Give at least one position of a digitised component, or record the electronic result.',
  },
  component_position: {
    vi: 'Hồ sơ không có thành phần ở vị trí {position}.',
    en: 'The dossier has no component at position {position}.',
  },
  result_not_issued: {
    vi: 'Chỉ ghi nhận được kết quả điện tử sau khi hồ sơ đã có kết quả giải quyết.',
    en: 'An electronic result can be recorded only once the dossier has its result.',
  },
  refusal_note: {
    vi: 'Khi từ chối giải quyết, hãy ghi lý do vào ghi chú.',
    en: 'A refusal needs its reason in the note.',
  },
  citizen_id: {
    vi: 'Số định danh cá nhân có 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).',
    en: 'A citizen ID has 12 digits (CCCD) or 9 (legacy CMND).',
  },
  tax_code: {
    vi: 'Mã số thuế có 10 chữ số, hoặc 13 chữ số đối với chi nhánh.',
    en: 'A tax code has 10 digits, or 13 for a branch.',
  },
  unit_required: {
    vi: 'Cần cho mã đơn vị tiếp nhận vì khóa API này không gắn với đơn vị nào.',
    en: 'The receiving unit code is required for a key that is not tied to a unit.',
  },
  not_in_future: {
    vi: '{Field} không được là một thời điểm trong tương lai.',
    en: 'The {field} must not lie in the future.',
  },
  backdate_window: {
    vi: '{Field} chỉ được lùi về quá khứ tối đa {days} ngày.',
    en: 'The {field} may lie at most {days} days in the past.',
  },
  before_latest_event: {
    vi: '{Field} không được trước sự kiện gần nhất của hồ sơ.',
    en: 'The {field} must not lie before the dossier’s latest event.',
  },
  after_statutory_due: {
    vi: '{Field} phải sau ngày hẹn trả theo quy định.',
    en: 'The {field} must be later than the statutory due date.',
  },
  after_action_time: {
    vi: '{Field} phải sau thời điểm thực hiện thao tác.',
    en: 'The {field} must lie after the time of the action.',
  },
  nul_character: {
    vi: '{Field} không được chứa ký tự NUL (U+0000).',
    en: 'The {field} must not contain the NUL character (U+0000).',
  },
  unpaired_surrogate: {
    vi: '{Field} chứa một nửa cặp mã thay thế UTF-16 đứng lẻ, không phải là ký tự hợp lệ; hãy gửi lại văn bản đúng chuẩn.',
    en: 'The {field} holds half a UTF-16 surrogate pair, which is no Unicode character; send valid Unicode text.',
  },
  list_cursor: {
    vi: 'Con trỏ trang không thuộc danh sách này; hãy dùng nextCursor của trang trước.',
    en: 'The cursor does not belong to this list; use the previous page’s nextCursor.',
  },
  feed_cursor: {
    vi: 'Vị trí này không thuộc luồng thay đổi; hãy dùng nextCursor của lần đọc trước.',
    en: 'This position does not belong to the change feed; use the nextCursor of the previous read.',
  },
  working_day_on_weekday: {
    vi: 'Ngày làm bù chỉ dành cho thứ Bảy hoặc Chủ nhật; ngày này là ngày thường.',
    en: 'A working day is for a Saturday or Sunday worked in exchange; this date is a weekday.',
  },
  day_off_on_weekend: {
    vi: 'Ngày nghỉ bù chỉ dành cho ngày thường; ngày này đã là cuối tuần.',
    en: 'A day off is for a weekday taken off; this date is already a weekend day.',
  },
  due_outside_calendar: {
    vi: `Ngày hẹn trả sẽ nằm ngoài lịch làm việc (${CALENDAR_FIRST_YEAR} đến ${CALENDAR_LAST_YEAR}).`,
    en: `The due date would fall outside the working calendar (${CALENDAR_FIRST_YEAR} to ${CALENDAR_LAST_YEAR}).`,
  },
  param_too_long: {
    vi: 'Tham số đường dẫn quá dài.',
    en: 'A path parameter is too long.',
  },
  parent_in_subtree: {
    vi: 'Đơn vị cấp trên mới nằm trong chính các đơn vị trực thuộc của đơn vị này.',
    en: 'The new parent lies inside the unit’s own subtree.',
  },
  officer_in_key_scope: {
    vi: 'Cán bộ được chỉ định phải làm việc tại đơn vị của khóa API hoặc một đơn vị trực thuộc.',
    en: 'The officer named must work in a unit inside the API key’s scope.',
  },
  officer_in_target_unit: {
    vi: 'Cán bộ nhận xử lý phải làm việc tại đơn vị nhận hồ sơ hoặc một đơn vị trực thuộc.',
    en: 'The officer receiving the dossier must work in the unit it goes to or a unit below it.',
  },
  officer_in_key_unit: {
    vi: 'Cán bộ của khóa API cá nhân phải làm việc tại đơn vị của khóa hoặc một đơn vị trực thuộc.',
    en: 'A personal key’s officer must work in the key’s unit or a unit below it.',
  },
  step_code: {
    vi: '{Field} bắt đầu bằng chữ hoặc số, tiếp theo là chữ, số, dấu chấm, gạch dưới hoặc gạch ngang, tối đa 30 ký tự, ví dụ buoc-2.',
    en: 'The {field} starts with a letter or digit, followed by letters, digits, dots, underscores or hyphens, at most 30 characters, e.g. buoc-2.',
  },
  step_code_repeated: {
    vi: '{Field} đã dùng cho một bước khác của quy trình; mỗi bước cần một mã riêng.',
    en: 'The {field} is already used by another step of the process; each step needs its own code.',
  },
  import_missing_columns: {
    vi: 'Tệp thiếu các cột: {columns}.',
    en: 'The file lacks the columns: {columns}.',
  },
  import_duplicate_code: {
    vi: 'Mã {code} xuất hiện nhiều lần trong tệp.',
    en: 'The code {code} appears more than once in the file.',
  },
  import_step_order_repeated: {
    vi: 'Thủ tục {code} có nhiều dòng cùng thứ tự bước {order}.',
    en: 'Procedure {code} has more than one row with step order {order}.',
  },
  import_parent_cycle: {
    vi: 'Quan hệ cấp trên trong tệp tạo thành vòng lặp qua đơn vị {code}.',
    en: 'The parents in the file form a cycle through {code}.',
  },
  import_unit_elsewhere: {
    vi: 'Đơn vị {code} đã có và đang trực thuộc {parentCode}; hãy chuyển đơn vị bằng PATCH /v1/units.',
    en: 'Unit {code} exists under {parentCode}; move it with PATCH /v1/units.',
  },
  import_unit_root: {
    vi: 'Đơn vị {code} đã có và là đơn vị gốc; hãy chuyển đơn vị bằng PATCH /v1/units.',
    en: 'Unit {code} exists as a root unit; move it with PATCH /v1/units.',
  },
  json_invalid: {
    vi: 'Nội dung không phải là JSON hợp lệ.',
    en: 'The body is not valid JSON.',
  },
  json_empty: {
    vi: 'Nội dung rỗng dù tiêu đề Content-Type là application/json; hãy gửi {} hoặc bỏ tiêu đề này.',
    en: 'The body is empty although Content-Type is application/json; send {} or leave the header out.',
  },
  url_invalid: {
    vi: 'Địa chỉ yêu cầu không hợp lệ.',
    en: 'The URL is not valid.',
  },
  request_unreadable: {
    vi: 'Yêu cầu không đúng quy cách.',
    en: 'The request is not well formed.',
  },
  headers_too_large: {
    vi: 'Dòng yêu cầu và các tiêu đề dài quá 16.384 byte; hãy rút ngắn địa chỉ (ít giá trị lọc hơn) hoặc các tiêu đề.',
    en: 'The request line and headers exceed 16,384 bytes; shorten the URL (fewer filter values) or the headers.',
  },
  request_incomplete: {
    vi: 'Các tiêu đề của yêu cầu không đến kịp trong hạn chờ.',
    en: 'The request headers did not arrive in time.',
  },
} satisfies Record<string, Text>;

export type MessageKey = keyof typeof messages;

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(messages, value);
}

type Params = Record<string, string | number>;

/** Replaces `{name}` by its param and `{Name}` by the same, first letter capitalised. */
export function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const key = name.charAt(0).toLowerCase() + name.slice(1);
    const value = String(params[key] ?? '');
    return name === key ? value : value.charAt(0).toUpperCase() + value.slice(1);
  });
}

/** The name of the field at a path such as `body.applicant.idNumber` (indexes of lists are skipped). */
export function fieldName(path: string, lang: Lang): string {
  const segments = path.split('.').filter((s) => s !== '' && !/^\d+$/.test(s));
  const two = segments.slice(-2).join('.');
  const name = fieldNames[two] ?? fieldNames[segments.at(-1) ?? 'body'];
  return name ? name[lang] : (segments.at(-1) ?? path);
}

export function renderMessage(key: MessageKey, lang: Lang, path: string, params: Params = {}): string {
  return fill(messages[key][lang], { ...params, field: fieldName(path, lang) });
}

/** A 400 VALIDATION_FAILED about one field. */
export function fieldError(path: string, key: MessageKey, params: Params = {}): DomainError {
  return new DomainError('VALIDATION_FAILED', {}, [{ path, message: key, params }]);
}

/** An error item as the client reads it: its message key rendered in the request's language. */
export function renderItem(item: ErrorItem, lang: Lang): { path: string; message: string } {
  const message = isMessageKey(item.message)
    ? renderMessage(item.message, lang, item.path, item.params)
    : item.message;
  return { path: item.path, message };
}

/** One zod issue of a parsed value (a CSV row), in one language. */
export function describeIssue(
  issue: { code: string; message: string; path: PropertyKey[] },
  input: unknown,
  lang: Lang,
): string {
  let value = input;
  for (const segment of issue.path) {
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  const { code, message, ...params } = issue as typeof issue & Record<string, unknown>;
  const { key, params: values } = issueMessage({ code, message, params }, value === undefined);
  return renderMessage(key, lang, issue.path.map(String).join('.'), values);
}

/** A zod issue as fastify-type-provider-zod hands it over: the issue code and its other properties. */
export interface IssueLike {
  code: string;
  message?: string | undefined;
  params?: Record<string, unknown> | undefined;
}

const listOf = (values: unknown): string =>
  Array.isArray(values) ? values.map((v) => String(v)).join(', ') : String(values ?? '');

/**
 * The message key and params of a zod issue, from its code and params. A custom message written in a schema is
 * a message key (`.regex(re, 'phone')`, `.refine(f, 'local_date')`); `missing` says the field was absent.
 */
export function issueMessage(issue: IssueLike, missing: boolean): { key: MessageKey; params: Params } {
  const p = issue.params ?? {};
  if (isMessageKey(issue.message)) return { key: issue.message, params: (p.params ?? {}) as Params };
  const bound = (name: 'minimum' | 'maximum') => ({ [name]: Number(p[name]) }) as Params;
  const exclusive = p.inclusive === false;
  switch (issue.code) {
    case 'invalid_type': {
      if (missing) return { key: 'required', params: {} };
      const key = `invalid_type_${String(p.expected)}`;
      return { key: isMessageKey(key) ? key : 'invalid', params: {} };
    }
    case 'too_small':
      if (p.origin === 'string')
        return Number(p.minimum) <= 1
          ? { key: 'too_small_text_empty', params: {} }
          : { key: 'too_small_text', params: bound('minimum') };
      if (p.origin === 'array' || p.origin === 'set')
        return { key: 'too_small_list', params: bound('minimum') };
      return { key: exclusive ? 'too_small_number_exclusive' : 'too_small_number', params: bound('minimum') };
    case 'too_big':
      if (p.origin === 'string') return { key: 'too_big_text', params: bound('maximum') };
      if (p.origin === 'array' || p.origin === 'set')
        return { key: 'too_big_list', params: bound('maximum') };
      return { key: exclusive ? 'too_big_number_exclusive' : 'too_big_number', params: bound('maximum') };
    case 'invalid_value': {
      const values = Array.isArray(p.values) ? p.values : [];
      return {
        key: values.length === 1 ? 'invalid_value_one' : 'invalid_value',
        params: { values: listOf(values) },
      };
    }
    case 'invalid_format': {
      const byFormat: Record<string, MessageKey> = {
        datetime: 'invalid_format_datetime',
        email: 'invalid_format_email',
        url: 'invalid_format_url',
        uuid: 'invalid_format_uuid',
      };
      return { key: byFormat[String(p.format)] ?? 'invalid_format', params: {} };
    }
    case 'not_multiple_of':
      return { key: 'not_multiple_of', params: { divisor: Number(p.divisor) } };
    case 'unrecognized_keys':
      return { key: 'unrecognized_keys', params: { keys: listOf(p.keys) } };
    case 'invalid_union':
      return { key: 'invalid_union', params: {} };
    default:
      return { key: 'invalid', params: {} };
  }
}
