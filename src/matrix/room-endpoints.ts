import type { MatrixRouter } from "./router.js";
import type { MatrixContext } from "./context.js";
export function mountRoomEndpoints(_router: MatrixRouter, _c: MatrixContext): void {}
