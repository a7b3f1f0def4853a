"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DOMAIN = void 0;
exports.DOMAIN = 1;
//# sourceMappingURL=index.js.map