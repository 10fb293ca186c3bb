/**
 * The minimum a user-chosen password must meet. Generated passwords (20
 * characters from a 55-letter alphabet) always pass. The rules follow NIST
 * SP 800-63B: a length floor, no known-breached or trivially guessable
 * passwords, nothing derived from the account name; no composition rules.
 */
export const MIN_LENGTH = 10;
export const MAX_LENGTH = 1024;

/**
 * The most common passwords of public breach lists (at least MIN_LENGTH long,
 * since shorter ones already fail), lower-cased. A small list on purpose: it
 * stops the guesses an online attacker tries first; the login throttle stops
 * the rest.
 */
const COMMON = new Set([
  '1234567890', '0123456789', '12345678910', '1234567890a', '0987654321', '1111111111', '0000000000', '1234512345',
  '1q2w3e4r5t', '1qaz2wsx3edc', 'qwertyuiop', 'qwerty1234', 'qwerty12345', 'qwertyuiop1', 'asdfghjkl1', 'zxcvbnm123',
  'password12', 'password123', 'password1234', 'password!1', 'passw0rd123', 'p@ssw0rd123', 'password01', 'mypassword',
  'iloveyou12', 'iloveyou123', 'princess123', 'sunshine123', 'football123', 'baseball123', 'basketball', 'superman123',
  'starwars123', 'welcome123', 'welcome1234', 'letmein123', 'trustno1234', 'changeme123', 'administrator', 'admin12345',
  'admin123456', 'abc1234567', 'abcdefghij', 'abcd123456', 'monkey1234', 'dragon1234', 'master1234', 'shadow1234',
  'michael123', 'jennifer123', 'charlie123', 'computer123', 'internet123', 'whatever123', 'chocolate1', 'butterfly1',
  'liverpool1', 'chelsea123', 'arsenal123', 'pokemon123', 'minecraft1', 'minecraft123', 'fortnite123', 'samsung123',
  'raspberry', 'raspberrypi', 'raspberry1', 'raspberry123', 'raspberrypi1', 'roostroost', 'roost12345', 'chatpassword',
  'qwerty123456', '123qweasdzxc', 'q1w2e3r4t5', 'a1b2c3d4e5', 'zaq12wsxcde', 'asdf123456', 'aaaaaaaaaa', 'azertyuiop',
]);

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, userName: string): string | undefined {
  const chars = [...password];
  if (chars.length < MIN_LENGTH) return `the password must have at least ${MIN_LENGTH} characters`;
  if (password.length > MAX_LENGTH) return `the password must have at most ${MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'the password is one of the most common passwords';
  if (new Set(chars).size < 4) return 'the password repeats too few different characters';
  const name = userName.toLowerCase();
  if (lower === name || (name.length >= 3 && lower.includes(name))) return 'the password must not contain the user name';
  return undefined;
}
