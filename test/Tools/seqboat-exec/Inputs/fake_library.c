/* A stand-in for an AOT library: the seqboat_rt_* symbols seqboat-exec looks
   up, and one entry `f` whose signature string is given by -DABI=... . The
   hostile cases are refused before any of these functions is called. */
#define STR2(x) #x
#define STR(x) STR2(x)

const char __seqboat_abi_f[] = STR(ABI);
void _mlir_ciface_f(void) {}

void seqboat_rt_init(void) {}
void seqboat_rt_device_name(void) {}
void seqboat_rt_alloc_shared(void) {}
void seqboat_rt_free(void) {}
void seqboat_rt_event_create(void) {}
void seqboat_rt_event_record(void) {}
void seqboat_rt_event_elapsed_ms(void) {}
void seqboat_rt_event_destroy(void) {}
void seqboat_rt_synchronize(void) {}
