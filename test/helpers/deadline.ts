/**
 * `p`, or what `late()` gives once `ms` pass first. The timer is cleared either
 * way: a generous deadline that only catches a hang must not keep the test's
 * process alive after `p` has settled.
 */
export function within<T, L>(p: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
