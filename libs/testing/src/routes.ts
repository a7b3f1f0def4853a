import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RegisteredRoute {
  method: HttpMethod;
  /** Express path pattern, e.g. `/v1/admin/users/:userId`. */
  path: string;
}

export interface ControllerRoute extends RegisteredRoute {
  controller: string;
  handler: string;
  /** The handler's (or its controller's) value under `metadataKey`; undefined when it declares none. */
  access: unknown;
}

const HTTP_METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Every route registered on the app's Express router (Express 5 `app.router.stack`, Express 4
 * `app._router.stack`): what a client can actually reach, including routes Nest did not declare.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const express: unknown = app.getHttpAdapter().getInstance();
  if (!isRecord(express) && typeof express !== 'function')
    throw new Error('the HTTP adapter has no Express instance');
  const holder = express as unknown as Record<string, unknown>;
  const router = holder.router ?? holder._router;
  if (!isRecord(router) && typeof router !== 'function')
    throw new Error('cannot find the Express router');
  const stack = (router as unknown as Record<string, unknown>).stack;
  if (!Array.isArray(stack)) throw new Error('the Express router has no stack');
  const routes: RegisteredRoute[] = [];
  for (const layer of stack as unknown[]) {
    if (!isRecord(layer) || !isRecord(layer.route)) continue;
    const { path, methods } = layer.route;
    if (typeof path !== 'string' || !isRecord(methods)) continue;
    for (const method of HTTP_METHODS) if (methods[method] === true) routes.push({ method, path });
  }
  return routes;
}

function joinPaths(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${joined}`;
}

/**
 * Every route handler of every controller in the app, found through Nest's own metadata (the
 * decorators' PATH/METHOD metadata), with the value of `metadataKey` on the handler or the class.
 */
export function controllerRoutes(app: INestApplication, metadataKey: string): ControllerRoute[] {
  const modules = app.get(ModulesContainer, { strict: false });
  const scanner = new MetadataScanner();
  const routes: ControllerRoute[] = [];
  const seen = new Set<unknown>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function' || seen.has(controller)) continue;
      seen.add(controller);
      const prefix: unknown = Reflect.getMetadata(PATH_METADATA, controller);
      const prefixes = (Array.isArray(prefix) ? prefix : [prefix ?? '']).map(String);
      const prototype: unknown = controller.prototype;
      if (!isRecord(prototype)) continue;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const requestMethod: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (path === undefined || typeof requestMethod !== 'number') continue;
        const method = RequestMethod[requestMethod].toLowerCase();
        if (!(HTTP_METHODS as readonly string[]).includes(method))
          throw new Error(`unexpected method ${method} on ${controller.name}.${name}`);
        const access: unknown =
          Reflect.getMetadata(metadataKey, handler) ?? Reflect.getMetadata(metadataKey, controller);
        for (const controllerPath of prefixes) {
          for (const handlerPath of (Array.isArray(path) ? path : [path]).map(String)) {
            routes.push({
              method: method as HttpMethod,
              path: joinPaths(controllerPath, handlerPath),
              controller: controller.name,
              handler: name,
              access,
            });
          }
        }
      }
    }
  }
  return routes;
}

/** `/v1/admin/users/:userId` with `params` substituted (`:name` → params[name] ?? fallback). */
export function fillPath(path: string, params: Record<string, string>, fallback: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? fallback),
  );
}
