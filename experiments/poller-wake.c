#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
static long now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000000L+t.tv_nsec;}
static int cmp(const void*a,const void*b){long x=*(long*)a,y=*(long*)b;return x<y?-1:x>y;}
static atomic_int pending, word, parked, taken; static int svcprio; static _Atomic long tnotice;
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);sched_setaffinity(0,sizeof s,&s);}
static void*svc(void*a){pin(0); if(svcprio){struct sched_param p={.sched_priority=svcprio};sched_setscheduler(0,SCHED_FIFO,&p);} prctl(PR_SET_TIMERSLACK,1);
 for(;;){ if(atomic_exchange(&pending,0)){ atomic_store(&tnotice, now()); atomic_store(&word,1); syscall(SYS_futex,&word,FUTEX_WAKE_PRIVATE,1,0,0,0);} struct timespec ts={0,20000}; nanosleep(&ts,0);} }
static void*waiter(void*a){pin(0); for(;;){ atomic_store(&parked,1); while(atomic_load(&word)==0) syscall(SYS_futex,&word,FUTEX_WAIT_PRIVATE,0,0,0,0); atomic_store(&word,0); atomic_store(&parked,0); atomic_fetch_add(&taken,1);} }
int main(int argc,char**argv){ svcprio=atoi(argv[1]); int n=20000; long*d=malloc(n*sizeof(long)); long*e=malloc(n*sizeof(long)); pthread_t a,b; pthread_create(&a,0,svc,0); pthread_create(&b,0,waiter,0); pin(1);
 for(int i=0;i<n;i++){ int exp=atomic_load(&taken)+1; while(!atomic_load(&parked)); usleep(0); for(volatile int k=0;k<20000;k++); long t0=now(); atomic_store(&pending,1); while(atomic_load(&taken)!=exp); d[i]=now()-t0; e[i]=atomic_load(&tnotice)-t0; }
 qsort(e,n,sizeof(long),cmp); printf("notice p50 %.1f p99 %.1f; ", e[n/2]/1e3, e[n*99/100]/1e3); qsort(d,n,sizeof(long),cmp); printf("service prio %d: release->waiter p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f us\n",svcprio,d[n/2]/1e3,d[n*9/10]/1e3,d[n*99/100]/1e3,d[n*999/1000]/1e3); return 0;}
