/**
 * UI text in English and Chinese, chosen by the browser's language. Every
 * string the interface shows lives here; `{name}` placeholders are filled by t().
 */

const en = {
  appName: 'Roost',
  signInTitle: 'Sign in to Roost',
  userName: 'User name',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  wrongLogin: 'Wrong user name or password.',
  throttled: 'Too many attempts. Try again in {s} s.',
  unreachable: 'Cannot reach the server.',
  signOut: 'Sign out',
  admin: 'Admin',
  backToChat: 'Back to chat',
  online: 'Connected',
  connecting: 'Connecting…',
  waiting: 'Offline, retrying in {s} s',
  retryNow: 'Retry now',
  searchLabel: 'Search messages',
  searchPlaceholder: 'Search messages',
  searching: 'Searching…',
  noResults: 'No messages found.',
  closeSearch: 'Close search',
  moreResults: 'More results',
  resultsFor: 'Results for “{q}”',
  rooms: 'Rooms',
  noRooms: 'You are not in any room yet. Ask your admin to add you.',
  unread: '{n} unread',
  chooseRoom: 'Choose a room to start chatting.',
  backToRooms: 'Back to rooms',
  loadingOlder: 'Loading older messages…',
  beginning: 'This is the beginning of the conversation.',
  newMessages: 'New messages',
  jumpLatest: 'Jump to latest',
  today: 'Today',
  yesterday: 'Yesterday',
  you: 'You',
  typing1: '{a} is typing…',
  typing2: '{a} and {b} are typing…',
  typingMany: 'Several people are typing…',
  seenBy: 'Seen by {names}',
  messageLabel: 'Message',
  messagePlaceholder: 'Message {room}',
  send: 'Send',
  composerHint: 'Enter to send, Shift+Enter for a new line',
  sending: 'Sending…',
  notSent: 'Not sent: {why}',
  retry: 'Retry',
  members: '{n} members',
  membersHeader: 'Members',
  direct: 'Direct message',
  unknownUser: 'Unknown',
  messagesLabel: 'Messages in {room}',
  users: 'Users',
  health: 'Health',
  healthy: 'Healthy',
  unhealthy: 'Unavailable',
  uptime: 'Uptime',
  connections: 'Connections',
  writerQueue: 'Writer queue',
  committed: 'Messages committed since start',
  loopLag: 'Event loop lag (p99)',
  memory: 'Memory (RSS)',
  role: 'Role',
  status: 'Status',
  active: 'Active',
  disabled: 'Disabled',
  kind: 'Kind',
  group: 'Group',
  name: 'Name',
  messages: 'Messages',
  created: 'Created',
  refresh: 'Refresh',
  adminOnly: 'This page is for admins.',
  loadFailed: 'Could not load: {why}',
} as const;

export type TextKey = keyof typeof en;

const zh: Record<TextKey, string> = {
  appName: 'Roost',
  signInTitle: '登录 Roost',
  userName: '用户名',
  password: '密码',
  signIn: '登录',
  signingIn: '正在登录…',
  wrongLogin: '用户名或密码错误。',
  throttled: '尝试次数过多，请 {s} 秒后再试。',
  unreachable: '无法连接到服务器。',
  signOut: '退出登录',
  admin: '管理',
  backToChat: '返回聊天',
  online: '已连接',
  connecting: '正在连接…',
  waiting: '已断开，{s} 秒后重试',
  retryNow: '立即重试',
  searchLabel: '搜索消息',
  searchPlaceholder: '搜索消息',
  searching: '正在搜索…',
  noResults: '没有找到消息。',
  closeSearch: '关闭搜索',
  moreResults: '更多结果',
  resultsFor: '“{q}”的搜索结果',
  rooms: '聊天室',
  noRooms: '你还没有加入任何聊天室，请联系管理员。',
  unread: '{n} 条未读',
  chooseRoom: '选择一个聊天室开始聊天。',
  backToRooms: '返回聊天室列表',
  loadingOlder: '正在加载更早的消息…',
  beginning: '这是对话的开始。',
  newMessages: '新消息',
  jumpLatest: '跳到最新',
  today: '今天',
  yesterday: '昨天',
  you: '你',
  typing1: '{a} 正在输入…',
  typing2: '{a} 和 {b} 正在输入…',
  typingMany: '多人正在输入…',
  seenBy: '{names} 已读',
  messageLabel: '消息',
  messagePlaceholder: '发消息到 {room}',
  send: '发送',
  composerHint: '按 Enter 发送，Shift+Enter 换行',
  sending: '正在发送…',
  notSent: '未发送：{why}',
  retry: '重试',
  members: '{n} 位成员',
  membersHeader: '成员',
  direct: '私信',
  unknownUser: '未知用户',
  messagesLabel: '{room} 的消息',
  users: '用户',
  health: '运行状态',
  healthy: '正常',
  unhealthy: '不可用',
  uptime: '运行时间',
  connections: '连接数',
  writerQueue: '写入队列',
  committed: '启动以来提交的消息',
  loopLag: '事件循环延迟 (p99)',
  memory: '内存 (RSS)',
  role: '角色',
  status: '状态',
  active: '正常',
  disabled: '已停用',
  kind: '类型',
  group: '群组',
  name: '名称',
  messages: '消息数',
  created: '创建时间',
  refresh: '刷新',
  adminOnly: '此页面仅供管理员使用。',
  loadFailed: '加载失败：{why}',
};

export type Lang = 'en' | 'zh';

/** The first of the browser's preferred languages that Roost speaks; English otherwise. */
export function pickLang(languages: readonly string[]): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export const lang: Lang = pickLang(typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);
/** The locale used for dates and numbers: the browser's own, so formats match what people expect. */
export const locale: string = (typeof navigator !== 'undefined' && navigator.language) || (lang === 'zh' ? 'zh-CN' : 'en');

const table: Record<TextKey, string> = lang === 'zh' ? zh : en;

export function t(key: TextKey, params?: Readonly<Record<string, string | number>>): string {
  const text = table[key];
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
