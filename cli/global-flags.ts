/** Global flags every command accepts. */
export interface GlobalFlags {
  sandbox?: boolean;
  profile?: string;
  yes?: boolean;
  ci?: boolean;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}
