/**
 * Every setting Roost has, with its default (tuned for a Raspberry Pi), its
 * bounds and the environment variable that may set it. One table serves
 * validation, `--help` text and the docs.
 */

interface IntSetting { kind: 'int'; default: number; min: number; max: number; env?: string; doc: string }
interface StringSetting { kind: 'string'; default: string; env?: string; doc: string }
interface EnumSetting<T extends string> { kind: 'enum'; values: readonly T[]; default: T; env?: string; doc: string }
interface BoolSetting { kind: 'bool'; default: boolean; env?: string; doc: string }
interface ListSetting { kind: 'list'; default: readonly string[]; env?: string; doc: string }

export type Setting = IntSetting | StringSetting | EnumSetting<string> | BoolSetting | ListSetting;

const KiB = 1024;

export const SETTINGS = {
  dataDir: { kind: 'string', default: './roost-data', env: 'ROOST_DATA', doc: 'Folder holding the database and everything Roost keeps.' },
  host: { kind: 'string', default: '0.0.0.0', env: 'ROOST_HOST', doc: 'Address to listen on.' },
  port: { kind: 'int', default: 8080, min: 0, max: 65535, env: 'ROOST_PORT', doc: 'TCP port to listen on (0 picks a free one).' },
  logLevel: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'ROOST_LOG_LEVEL', doc: 'Least severe log level written.' },
  synchronous: { kind: 'enum', values: ['FULL', 'NORMAL'], default: 'FULL', env: 'ROOST_SYNCHRONOUS', doc: 'SQLite synchronous mode. FULL: an ack survives a power cut. NORMAL: the last moments of acked messages can be lost on power loss (not on a crash).' },
  allowedOrigins: { kind: 'list', default: [], env: 'ROOST_ALLOWED_ORIGINS', doc: 'Browser origins allowed besides the server\'s own (comma-separated).' },
  tlsCert: { kind: 'string', default: '', env: 'ROOST_TLS_CERT', doc: 'PEM certificate (chain) file; with tlsKey, the server speaks only HTTPS/WSS on its port.' },
  tlsKey: { kind: 'string', default: '', env: 'ROOST_TLS_KEY', doc: 'PEM private key file for tlsCert (keep it 0600).' },
  matrixServerName: { kind: 'string', default: '', env: 'ROOST_MATRIX_SERVER_NAME', doc: 'The Matrix door\'s server_name (user ids are @name:server_name); empty: this machine\'s host name. Stored at first start and never changed after: a different value is refused.' },

  maxFrameBytes: { kind: 'int', default: 64 * KiB, min: 1 * KiB, max: 16 * 1024 * KiB, doc: 'Largest WebSocket frame; a larger one closes the socket with 1009.' },
  maxBodyChars: { kind: 'int', default: 16_000, min: 1, max: 1_000_000, doc: 'Longest message body in characters; longer gets too_large.' },
  maxHttpBodyBytes: { kind: 'int', default: 64 * KiB, min: 1 * KiB, max: 16 * 1024 * KiB, doc: 'Largest JSON body of an HTTP request; larger gets 413.' },
  maxHeaderBytes: { kind: 'int', default: 4 * KiB, min: 1 * KiB, max: 64 * KiB, doc: 'Largest HTTP request head (request line + headers); larger gets 431 from uWS. Read once per process, when uWS loads.' },
  maxHistoryLimit: { kind: 'int', default: 200, min: 1, max: 10_000, doc: 'Largest history page.' },
  maxSyncLimit: { kind: 'int', default: 500, min: 1, max: 10_000, doc: 'Most messages per room in one sync reply.' },
  maxSyncRooms: { kind: 'int', default: 1000, min: 1, max: 100_000, doc: 'Most rooms one sync may name.' },
  maxSyncTotal: { kind: 'int', default: 1000, min: 1, max: 100_000, doc: 'Most messages, and most change entries, in one sync reply over all its rooms; rooms past it come back with more (moreChanges) and are asked again.' },
  maxQueuedSyncs: { kind: 'int', default: 10_000, min: 1, max: 1_000_000, doc: 'Sync frames waiting for their turn to be read; past it a sync is answered unavailable with retryAfterMs.' },
  maxSearchLimit: { kind: 'int', default: 100, min: 1, max: 1000, doc: 'Largest search page.' },

  framesPerSecond: { kind: 'int', default: 20, min: 0, max: 1_000_000, doc: 'Sustained frames per second per socket (0: no limit).' },
  frameBurst: { kind: 'int', default: 100, min: 1, max: 1_000_000, doc: 'Frames a socket may send at once before the rate applies.' },
  userFramesPerSecond: { kind: 'int', default: 100, min: 0, max: 1_000_000, doc: 'Sustained frames per second per user, over all their sockets (0: no limit).' },
  userFrameBurst: { kind: 'int', default: 500, min: 1, max: 10_000_000, doc: 'Frames a user may send at once, over all their sockets, before the rate applies.' },
  maxSocketsPerUser: { kind: 'int', default: 100, min: 1, max: 10_000_000, doc: 'Open sockets one user may hold.' },
  maxSocketsPerIp: { kind: 'int', default: 2000, min: 1, max: 10_000_000, doc: 'Open sockets one client address may hold.' },
  maxBackpressureBytes: { kind: 'int', default: 512 * KiB, min: 16 * KiB, max: 64 * 1024 * KiB, doc: 'Bytes queued for a slow socket before it is closed with 1013 (it reconnects and syncs).' },
  idleTimeoutSeconds: { kind: 'int', default: 60, min: 8, max: 960, doc: 'A silent socket is pinged, then closed after this many seconds.' },
  writerQueueMax: { kind: 'int', default: 50_000, min: 100, max: 10_000_000, doc: 'Writes waiting for the disk before new ones get unavailable.' },
  writerQueueBytes: { kind: 'int', default: 64 * 1024 * KiB, min: 64 * KiB, max: 4 * 1024 * 1024 * KiB, doc: 'Estimated bytes of writes waiting for the disk (bodies count two bytes a character) before new ones get unavailable.' },
  writerBatchMax: { kind: 'int', default: 2000, min: 1, max: 100_000, doc: 'Most writes committed in one transaction.' },
  writerParkSeconds: { kind: 'int', default: 60, min: 0, max: 86_400, doc: 'Seconds with nothing to write after which the writer thread closes the database and exits, giving back ~10 MiB; the next write starts it again first (~80 ms on a 2-core x64 VM, longer on a Pi). 0: never.' },

  loginFailuresPerUser: { kind: 'int', default: 5, min: 1, max: 1000, doc: 'Failed logins for one (address, user) before back-off starts.' },
  loginFailuresPerIp: { kind: 'int', default: 30, min: 1, max: 100_000, doc: 'Failed logins from one address before back-off starts.' },
  loginBackoffSeconds: { kind: 'int', default: 30, min: 1, max: 86_400, doc: 'First back-off; it doubles with each further failure, up to an hour.' },
  tokenTtlDays: { kind: 'int', default: 30, min: 1, max: 3650, doc: 'A token expires this many days after it was last used (sliding; the expiry is pushed forward at most once an hour).' },

  // Running as an appliance.
  maxConnections: { kind: 'int', default: 50_000, min: 1, max: 10_000_000, env: 'ROOST_MAX_CONNECTIONS', doc: 'Open WebSockets the server accepts in all; beyond it upgrades get unavailable. Keep it below the open-files limit (roost doctor checks).' },
  mdns: { kind: 'bool', default: true, env: 'ROOST_MDNS', doc: 'Advertise the server on the LAN over mDNS/DNS-SD (_roost._tcp, _http._tcp) so clients find it as <hostname>.local.' },

  retentionCheckSeconds: { kind: 'int', default: 300, min: 1, max: 86_400, doc: 'How often the server looks for messages past their retention period (see roost retention).' },
  purgeBatch: { kind: 'int', default: 100, min: 1, max: 100_000, doc: 'Messages removed per purge step; a batch of sends waits behind at most one step.' },
  backupIntervalMinutes: { kind: 'int', default: 0, min: 0, max: 525_600, env: 'ROOST_BACKUP_INTERVAL_MINUTES', doc: 'The server writes a backup every this many minutes (0: scheduled backups off).' },
  backupDir: { kind: 'string', default: '', env: 'ROOST_BACKUP_DIR', doc: 'Folder for scheduled backups (a USB drive or network share is best); empty: <dataDir>/backups.' },
  backupKeep: { kind: 'int', default: 7, min: 1, max: 10_000, doc: 'Scheduled backups kept; the oldest beyond this are deleted.' },

  // Files, edits, presence.
  maxUploadBytes: { kind: 'int', default: 25 * 1024 * KiB, min: 1, max: 4 * 1024 * 1024 * KiB, doc: 'Largest file one upload may carry; larger gets 413 too_large.' },
  uploadQuotaBytes: { kind: 'int', default: 1024 * 1024 * KiB, min: 0, max: 1024 * 1024 * 1024 * KiB, doc: 'Bytes of files one user may have stored in all (0: no quota); past it uploads get 413 too_large.' },
  avatarMaxBytes: { kind: 'int', default: 2 * 1024 * KiB, min: 1024, max: 64 * 1024 * KiB, doc: 'Largest image an avatar upload may carry; larger gets 413 too_large. Only its 320×320 thumbnail is served.' },
  fileLinkSeconds: { kind: 'int', default: 600, min: 10, max: 86_400, doc: 'How long a file link (a capability URL for one file and one user, as the web client uses for images and downloads) stays good.' },
  editWindowSeconds: { kind: 'int', default: 900, min: 0, max: 31_536_000, doc: 'How long after sending the sender may edit a message (0: never).' },
  presence: { kind: 'bool', default: true, env: 'ROOST_PRESENCE', doc: 'Push online/away/offline changes to the members of direct rooms and small rooms.' },
  receiptWindowMs: { kind: 'int', default: 200, min: 0, max: 5000, doc: 'Read markers that move within this many milliseconds reach their room as one receipts frame, with the room\'s next message or at most 0.8 s later (0: one receipt frame each, at once).' },
  presenceMaxRoomSize: { kind: 'int', default: 100, min: 2, max: 1_000_000, doc: 'Rooms with more members get no presence pushes (members ask with a presence frame instead).' },

  // Integrations: incoming hooks, outgoing webhooks.
  hookMaxBodyBytes: { kind: 'int', default: 16 * KiB, min: 256, max: 1024 * KiB, doc: 'Largest body an incoming hook takes; larger gets 413.' },
  hookPerMinute: { kind: 'int', default: 60, min: 1, max: 1_000_000, doc: 'Sustained posts per minute per incoming hook; past it (and its burst) a post gets 429 with Retry-After.' },
  hookBurst: { kind: 'int', default: 20, min: 1, max: 1_000_000, doc: 'Posts an incoming hook may make at once before hookPerMinute applies.' },
  webhookAllowRemote: { kind: 'bool', default: false, doc: 'Let outgoing webhooks reach hosts outside the LAN (anything but loopback, private and link-local ranges and .local names).' },
  webhookTimeoutSeconds: { kind: 'int', default: 10, min: 1, max: 300, doc: 'How long one outgoing webhook delivery may take before it counts as failed.' },
  webhookMaxAttempts: { kind: 'int', default: 5, min: 1, max: 20, doc: 'Deliveries of one message to one webhook before it is given up (counted in roost_webhook_given_up_total).' },
  webhookRetryBaseMs: { kind: 'int', default: 2000, min: 1, max: 3_600_000, doc: 'Wait before the first retry of a failed delivery; it doubles with each further one, up to an hour.' },
  webhookQueueMax: { kind: 'int', default: 256, min: 1, max: 100_000, doc: 'Deliveries waiting (retries included); past it new ones are dropped and counted, never queued in memory.' },
  webhookConcurrency: { kind: 'int', default: 4, min: 1, max: 64, doc: 'Deliveries in flight at once; a hanging receiver holds one of them until its timeout.' },

  // The assistant (a local LLM answering mentions of its bot; `roost assistant enable`).
  assistantContextTokens: { kind: 'int', default: 2000, min: 100, max: 200_000, doc: 'Prompt budget of the assistant in tokens, estimated as characters / 4: recent messages (newest first), search hits or unread messages fill it until it is spent.' },
  assistantMaxAnswerChars: { kind: 'int', default: 4000, min: 100, max: 1_000_000, doc: 'Longest answer the assistant posts (also bounded by maxBodyChars); the stream is cut there.' },
  assistantTimeoutSeconds: { kind: 'int', default: 120, min: 1, max: 3600, doc: 'How long one answer may take, from asking the model server to its last word; then it is cut and says so.' },
  assistantQueueMax: { kind: 'int', default: 8, min: 1, max: 1000, doc: 'Questions waiting for the assistant over all rooms (one answer runs at a time); past it a question gets a short refusal.' },
  assistantEditIntervalMs: { kind: 'int', default: 500, min: 0, max: 60_000, doc: 'A growing answer is edited at most once per this many milliseconds of streamed text (then once more when it ends).' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> =
  S extends { kind: 'int' } ? number :
  S extends { kind: 'bool' } ? boolean :
  S extends { kind: 'list' } ? readonly string[] :
  S extends { kind: 'enum'; values: readonly (infer V)[] } ? V :
  string;

export type Config = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };
