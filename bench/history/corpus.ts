/**
 * Deterministic message bodies for the history bench: half Chinese (real
 * words, so Intl.Segmenter splits them as it would real chat), half English,
 * word frequencies roughly Zipfian like chat text.
 */

const ZH = ('我们 今天 明天 会议 项目 服务器 部署 数据库 备份 历史 聊天 记录 即时 通讯 重要 问题 解决 测试 版本 发布 ' +
  '用户 客户 需求 文档 设计 代码 审查 合并 分支 修复 错误 日志 监控 报警 网络 延迟 性能 优化 内存 磁盘 ' +
  '配置 文件 权限 安全 密码 登录 账号 团队 同事 老板 周末 下午 上午 晚上 时间 地点 准备 讨论 决定 计划 ' +
  '完成 开始 结束 已经 还是 可以 应该 需要 因为 所以 但是 如果 这个 那个 什么 怎么 为什么 没有 知道 觉得 ' +
  '系统 升级 迁移 回滚 故障 恢复 数据 搜索 索引 消息 房间 成员 通知 提醒 邮件 电话 视频 图片 附件 链接 ' +
  '北京 上海 深圳 杭州 咖啡 午饭 晚饭 周报 月报 预算 合同 发票 报销 出差 请假 加班 面试 培训 分享 总结').split(' ');

const EN = ('the a to and of is in it you that for on we this with be are have not at can will do just so but ' +
  'deploy server database backup history chat record message room member search index release version test review ' +
  'merge branch fix bug log monitor alert network latency performance memory disk config file permission security ' +
  'password login account team meeting tomorrow today tonight friday weekend morning afternoon plan decide discuss ' +
  'finish start done already still should need because if what how why know think system upgrade migrate rollback ' +
  'outage restore data notify reminder mail phone video picture attachment link coffee lunch dinner report budget ' +
  'contract invoice travel leave interview training share summary customer design code production staging cluster ' +
  'kubernetes docker pipeline build cache queue worker thread socket latency throughput benchmark raspberry sqlite').split(' ');

/** A small, fast, seeded PRNG (mulberry32): the same database every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-ish pick: low indexes much more often. */
function pick<T>(words: readonly T[], r: () => number): T {
  const i = Math.floor(words.length * Math.pow(r(), 2.2));
  return words[Math.min(i, words.length - 1)] as T;
}

export function chineseBody(r: () => number): string {
  const n = 6 + Math.floor(r() * 18);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(ZH, r);
  return r() < 0.3 ? `${s}，${pick(ZH, r)}${pick(ZH, r)}。` : s;
}

export function englishBody(r: () => number): string {
  const n = 5 + Math.floor(r() * 20);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(pick(EN, r));
  const s = words.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}${r() < 0.5 ? '.' : ''}`;
}

export const body = (i: number, r: () => number): string => (i % 2 === 0 ? chineseBody(r) : englishBody(r));

/** Queries people type: common and rare words, prefixes, two-character Chinese words, mixed. */
export const QUERIES: Record<string, readonly string[]> = {
  'english word': ['deploy', 'backup', 'kubernetes', 'invoice', 'rollback', 'friday', 'sqlite', 'budget', 'outage', 'coffee'],
  'english phrase': ['deploy server', 'backup database', 'rollback release', 'meeting tomorrow', 'disk latency'],
  'english prefix': ['depl*', 'back*', 'kube*', 'mig*', 'perf*'],
  'common word': ['the', 'and', 'is'],
  'chinese 2-char': ['记录', '聊天', '部署', '备份', '会议', '报销', '迁移', '咖啡', '延迟', '索引'],
  'chinese phrase': ['聊天记录', '数据库备份', '服务器部署'],
  'mixed': ['部署 deploy', 'backup 备份', '会议 friday'],
};
