// The projector page: read-only, large type, live.
import { startRoom } from "./room-ui.js";

startRoom("projector");
