#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sched.h>
#include <pthread.h>
static long now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000000L+t.tv_nsec;}
int main(int argc,char**argv){
  int cpu=atoi(argv[1]); int prio=atoi(argv[2]); double secs=atof(argv[3]); long spinus=atol(argv[4]); long periodus=atol(argv[5]);
  cpu_set_t s;CPU_ZERO(&s);CPU_SET(cpu,&s);sched_setaffinity(0,sizeof s,&s);
  if(prio>0){struct sched_param p={.sched_priority=prio}; if(sched_setscheduler(0,SCHED_FIFO,&p))perror("sched");}
  long end=now()+(long)(secs*1e9); long maxgap=0; long n1=0,n10=0,n5000=0; long late1=0,latemax=0;
  long next=now();
  while(now()<end){
    next+=periodus*1000;
    long sl=next-spinus*1000-now();
    if(sl>0){struct timespec ts={sl/1000000000L, sl%1000000000L}; nanosleep(&ts,0);}
    long t=now(), prev=t; 
    while(t<next){t=now(); long g=t-prev; if(g>maxgap)maxgap=g; if(g>1000000)n1++; if(g>5000000)n5000++; prev=t;}
    long late=t-next; if(late>latemax)latemax=late; if(late>1000000)late1++;
  }
  printf("cpu %d prio %d: maxgap %.1f us, gaps>1ms %ld >5ms %ld; iteration late max %.1f us, late>1ms %ld\n",cpu,prio,maxgap/1e3,n1,n5000,latemax/1e3,late1);
}
