/** Removing a route. */
import { familyFlag, routeWords, type Route } from '../facts/ip-route';
import { sh, type ShellCommand } from '../shell/quote';

/**
 * Deletes this route and no other: type, destination, gateway, device and metric all go on
 * the command line, since the kernel treats an omitted one as "any".
 */
export function deleteRoute(route: Route): ShellCommand {
  return sh`ip ${familyFlag(route.family)} route del ${routeWords(route)}`;
}
