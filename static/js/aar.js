// AAR's own JavaScript: only what htmx cannot do. Loaded with `defer`; no inline scripts (CSP).
"use strict";
