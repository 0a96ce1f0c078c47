DROP TABLE `tenants`;
--> statement-breakpoint
DROP TABLE `users`;
