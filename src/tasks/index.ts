/** The built-in tasks. They register through the same path as a plugin's. */
import type { TaskModule } from '../api';
import assert from './assert';
import blockinfile from './blockinfile';
import command from './command';
import copy from './copy';
import debug from './debug';
import file from './file';
import httpVerify from './http_verify';
import httpd from './httpd';
import ifaddr from './ifaddr';
import ipvsadm from './ipvsadm';
import ipvsMember from './ipvs_member';
import keepalived from './keepalived';
import kmod from './kmod';
import lineinfile from './lineinfile';
import link from './link';
import packageTask from './package';
import route from './route';
import service from './service';
import shell from './shell';
import sysctl from './sysctl';
import template from './template';
import waitFor from './wait_for';

export const builtinTasks: TaskModule[] = [sysctl, ifaddr, route, link, kmod, template, copy, file, lineinfile, blockinfile, httpd, ipvsadm, ipvsMember, keepalived, httpVerify, command, shell, debug, assert, waitFor, packageTask, service];
