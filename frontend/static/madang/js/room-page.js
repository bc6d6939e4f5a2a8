// The resident's room page.
import { startRoom } from "./room-ui.js";

startRoom("room");
