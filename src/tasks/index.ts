/** The built-in tasks. They register through the same path as a plugin's. */
import type { TaskModule } from '../api';
import httpd from './httpd';
import httpVerify from './http_verify';
import ifaddr from './ifaddr';
import ipvsadm from './ipvsadm';
import kmod from './kmod';
import link from './link';
import packageTask from './package';
import route from './route';
import service from './service';
import sysctl from './sysctl';
import template from './template';

export const builtinTasks: TaskModule[] = [sysctl, ifaddr, route, link, kmod, template, httpd, ipvsadm, httpVerify, packageTask, service];
