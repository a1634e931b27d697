// The feed readers on their own, as @soc/intel/feeds: offline callers such as `soc correlate`
// read feed files without a database, and the full @soc/intel also loads the stores and with
// them TypeORM and pg, a third of a second at every start (issue 14).
export * from './feed-loader';
export * from './feed-registry';
