export { startGateway, type RunningGateway } from './gateway.js';
export type { GatewayOptions } from './options.js';
export { ROUTE_TABLE, type RouteTable } from './route-table.js';
