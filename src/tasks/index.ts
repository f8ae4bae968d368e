/** The built-in tasks. They register through the same path as a plugin's. */
import type { TaskModule } from '../api';
import blockinfile from './blockinfile';
import copy from './copy';
import file from './file';
import assert from './assert';
import command from './command';
import debug from './debug';
import httpd from './httpd';
import httpVerify from './http_verify';
import ifaddr from './ifaddr';
import ipvsadm from './ipvsadm';
import kmod from './kmod';
import lineinfile from './lineinfile';
import link from './link';
import route from './route';
import shell from './shell';
import sysctl from './sysctl';
import template from './template';
import waitFor from './wait_for';

export const builtinTasks: TaskModule[] = [sysctl, ifaddr, route, link, kmod, template, copy, file, lineinfile, blockinfile, httpd, ipvsadm, httpVerify, command, shell, debug, assert, waitFor];
